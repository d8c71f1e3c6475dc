#!/usr/bin/env node
// The `runlog` command: loads the TypeScript CLI through tsx, so a clone runs it without a build step.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../cli/main.ts');
process.exitCode = await main(process.argv);
