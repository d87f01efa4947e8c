/** Who is calling, as resolved from a valid bearer token (the user still exists). */
export interface AuthenticatedUser {
  id: string;
  email: string;
}

/** Claims of an access token. */
export interface AccessTokenClaims {
  sub: string;
  email: string;
}
