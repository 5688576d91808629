#!/usr/bin/env node
// The `townes` binary's entry. Plain JavaScript on purpose, and nothing more than this: it turns
// on Node's compile cache before any of our TypeScript loads, so Node strips the types of a file
// once per machine rather than at every start. A process that strips types carries Node's type
// stripper (about 17 MB of RSS, measured) for the rest of its life; with the cache warm it never
// loads it, and a runner started with the cache on is about 40 MB smaller (bench:kernel).
//
// The folder is NODE_COMPILE_CACHE, else a private one under the user's cache directory (not the
// shared temp folder, where another local user could plant entries). NODE_DISABLE_COMPILE_CACHE=1
// turns it off. Any failure only means no cache: Node reports it and carries on.
import { enableCompileCache } from 'node:module';
import { homedir } from 'node:os';
import { join } from 'node:path';

enableCompileCache(process.env.NODE_COMPILE_CACHE || join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'townes', 'compile-cache'));
await import('./townes.ts');
