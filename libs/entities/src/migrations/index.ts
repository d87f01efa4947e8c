import { InitialSchema1764100000000 } from './1764100000000-initial-schema';

/**
 * Every migration, in order. Listed explicitly (not globbed) because the apps are bundled:
 * there is no migrations folder on disk at run time. Add new migrations at the end.
 */
export const MIGRATIONS = [InitialSchema1764100000000];
