export { checkFixTokenSignature, signFixToken } from './lib/fix-token';
export type { FixTokenClaims, FixTokenSignatureCheck } from './lib/fix-token';
export { DEFAULT_FIX_LINK_TTL_MS, FIX_LINK_PATH, FIX_LINK_SETTINGS, FixLinkService } from './lib/fix-links.service';
export type { FixLink, FixLinkSettings, FixTokenStatus } from './lib/fix-links.service';
export { FixLinksModule } from './lib/fix-links.module';
