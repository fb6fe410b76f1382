#!/usr/bin/env bash
echo "The demo (a Nuxt SSR chat with a socket.io backend) arrives with the examples (issue 5); nothing to run yet." >&2
exit 1
