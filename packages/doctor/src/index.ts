export { probe } from './probe'
export type { Check, CheckStatus, ProbeOptions, ProbeReport } from './probe'
export { formatReport, main } from './cli'
