// The last kept test of a server, next to its status in the list: "Tested ✓ 5 min ago" or
// "Test failed: AUTH_FAILED", with the message and the exact time on hover.
import type { LastTest } from '../../api/types.ts';
import { formatDateTime, formatRelative } from '../../ui/format.ts';

export function LastTestStatus({ lastTest }: { lastTest?: LastTest | null }) {
  if (!lastTest) return <span className="last-test last-test--none">Not tested yet</span>;
  const when = formatRelative(lastTest.createdAt);
  const title = `${lastTest.message} (${formatDateTime(lastTest.createdAt)})`;
  return lastTest.ok ? (
    <span className="last-test last-test--ok" title={title}>
      Tested ✓ {when}
    </span>
  ) : (
    <span className="last-test last-test--failed" title={title}>
      Test failed: <code>{lastTest.code}</code> <span className="last-test__when">{when}</span>
    </span>
  );
}
