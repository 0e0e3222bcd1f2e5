/**
 * zod's English messages for every schema of the kit's users. The classic build
 * (`import * as z from 'zod'`) installs them when it loads; the mini build, which the
 * kit's event schemas use for a lighter cold start, leaves it to the application. The
 * kit's modules that parse with zod import this one first, so an issue reads the same
 * whichever build made the schema.
 */
import { config } from 'zod/v4/core';
import en from 'zod/v4/locales/en.js';

config(en());
