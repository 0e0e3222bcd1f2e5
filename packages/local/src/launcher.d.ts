export const MAIN_BUNDLE_DIR: string;
export const MAIN_BUNDLE_BUILDERS: string[];
export function currentMainBundle(): Promise<string | undefined>;
