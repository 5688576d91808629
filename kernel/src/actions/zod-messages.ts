/**
 * The schemas in this folder use `zod/mini`, not `zod`, because they run in every sandbox host:
 * mini's functions are tree-shaken to what is used (the full zod bundled into a host process
 * cost it 12 MB of RSS; mini, 1.5 MB). Mini carries no error messages of its own, so importing
 * this module sets the English ones: a plugin author reads "Unrecognized key: "extra"", not
 * "Invalid input".
 */
import { config } from 'zod/mini';
import en from 'zod/v4/locales/en.js';

config(en());
