// What the server offered during the test: login methods, STARTTLS, the largest message it takes,
// the TLS version and cipher, and whose certificate it showed until when.
import type { OfferedCapabilities } from '../../api/types.ts';
import { formatBytes, formatDateTime } from '../../ui/format.ts';

export function ServerOfferDetails({ offered }: { offered: OfferedCapabilities }) {
  const { tls } = offered;
  // Nothing to show when the test ended before the server introduced itself.
  if (offered.extensions.length === 0 && !tls) return null;
  return (
    <div className="probe-offered">
      <p className="probe-offered__title">What the server offered</p>
      <dl className="probe-offered__list">
        <div>
          <dt>Login methods</dt>
          <dd>{offered.authMechanisms.length ? offered.authMechanisms.join(', ') : 'none offered here'}</dd>
        </div>
        <div>
          <dt>STARTTLS</dt>
          <dd>{offered.startTls ? 'offered' : 'not offered'}</dd>
        </div>
        {offered.maxSize !== null ? (
          <div>
            <dt>Largest message</dt>
            <dd>{offered.maxSize > 0 ? formatBytes(offered.maxSize) : 'no limit announced'}</dd>
          </div>
        ) : null}
        {tls ? (
          <>
            <div>
              <dt>Encryption</dt>
              <dd>{tls.version}, {tls.cipher}</dd>
            </div>
            <div>
              <dt>Certificate</dt>
              <dd>
                {tls.certSubject || '—'}
                <span className="probe-offered__sub">issued by {tls.certIssuer || '—'}, valid until {formatDateTime(tls.certValidTo)}</span>
              </dd>
            </div>
          </>
        ) : null}
        {offered.extensions.length ? (
          <div>
            <dt>Extensions</dt>
            <dd className="mono probe-offered__extensions">{offered.extensions.join(' · ')}</dd>
          </div>
        ) : null}
      </dl>
    </div>
  );
}
