#!/usr/bin/env node
// `cq` on the PATH (package.json "bin"; `npm link` puts it there): loads the TypeScript sources
// through this repository's tsx, then runs transforms/cli/cq.ts with the same arguments.
import { register } from 'tsx/esm/api';

register();
await import('./cq.ts');
