// What every request carries through the HTTP edge.
import type { Company, Principal } from '../core/model.ts';
import type { Logger } from '../core/ports.ts';
import type { AppServices } from '../app.ts';

export interface HttpEnv {
  Variables: {
    requestId: string;
    principal: Principal | null;
    /** Set when the principal came from the session cookie (then CSRF applies). */
    viaCookie: boolean;
    csrfToken: string | null;
    /** The session row id (hash of the cookie token), when signed in with the cookie. */
    sessionId: string | null;
    services: AppServices;
    logger: Logger;
  };
}

export interface RequestActor {
  principal: Principal;
  company: Company;
}
