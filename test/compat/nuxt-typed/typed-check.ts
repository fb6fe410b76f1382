// Compiled by the compatibility matrix (tsc over the app's generated tsconfig), never called: the @ts-expect-error
// lines are errors only when the Register augmentation reaches the auto-imported composables.
export function typedCheck(): void {
  const { on, emit } = useSocket()
  on('news', (text) => text.toUpperCase())
  emit('send', 'hi', () => {})
  // @ts-expect-error not a registered event
  on('nope', () => {})
  // @ts-expect-error wrong payload
  emit('send', 42, () => {})
}
