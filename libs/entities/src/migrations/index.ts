import { InitialSchema1764100000000 } from './1764100000000-initial-schema';
import { CheckRollupsAndEventMarkers1764300000000 } from './1764300000000-check-rollups-and-event-markers';

/**
 * Every migration, in order. Listed explicitly (not globbed) because the apps are bundled:
 * there is no migrations folder on disk at run time. Add new migrations at the end.
 */
export const MIGRATIONS = [InitialSchema1764100000000, CheckRollupsAndEventMarkers1764300000000];
