// The flags node runs tsvip with. V8's young generation is capped (semi-spaces of 2 MiB instead of
// 16): a load balancer makes short-lived garbage per connection, and with the default the heap keeps
// up to 48 MiB more RSS that it never gives back (docs/benchmarks.md, "Load balancer"). They sit on
// bin/tsvip's `#!/usr/bin/env -S node ...` line and in the Dockerfile's ENTRYPOINT; whoever runs
// `node bin/tsvip` (the lab, the benchmarks) adds them from here. A test keeps the three in step.
export const TSVIP_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=2'];
