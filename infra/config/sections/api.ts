/**
 * The api section: the HTTP API in front of the protected Lambda (CORS, throttling).
 * Plain data (no aws-cdk-lib): the CDK construct `TokenApi` and the local stack read it.
 */
import * as z from 'zod';

const ORIGIN = /^(\*|https?:\/\/[a-z0-9.-]+(:\d{1,5})?)$/i;

export const ApiSectionSchema = z
  .object({
    cors: z
      .object({
        /** Origins allowed to call the API from a browser (`*` allows any; never with credentials). */
        allowOrigins: z
          .array(z.string().regex(ORIGIN, 'must be an origin like https://app.example.com or *'))
          .default(['http://localhost:5173']),
        /** Request headers a browser may send. */
        allowHeaders: z.array(z.string().min(1)).default(['authorization', 'content-type']),
        /** How long browsers cache a preflight answer, seconds. */
        maxAgeSeconds: z.number().int().min(0).max(86_400).default(600),
        /** Allow cookies / credentials in cross-origin requests. */
        allowCredentials: z.boolean().default(false),
      })
      .strict()
      .refine((cors) => !(cors.allowCredentials && cors.allowOrigins.includes('*')), {
        message: 'credentials cannot be allowed for any origin (*)',
        path: ['allowCredentials'],
      })
      .default({
        allowOrigins: ['http://localhost:5173'],
        allowHeaders: ['authorization', 'content-type'],
        maxAgeSeconds: 600,
        allowCredentials: false,
      }),
    throttling: z
      .object({
        /** Steady-state requests per second across the stage. */
        rateLimit: z.number().min(1).max(10_000).default(50),
        /** Burst of requests above the rate. */
        burstLimit: z.number().int().min(1).max(5_000).default(100),
      })
      .strict()
      .default({ rateLimit: 50, burstLimit: 100 }),
    /** Memory of the API function, MB. */
    memorySize: z.number().int().min(128).max(10_240).default(256),
  })
  .strict();

export type ApiSection = z.output<typeof ApiSectionSchema>;

/** The section with every default, for a config that does not set one. */
export function apiSectionOf(section: ApiSection | undefined): ApiSection {
  return section ?? ApiSectionSchema.parse({});
}
