// "Ada Admin <ada@example.com>" (how the API labels people) shown as the name, with the email
// beneath it in small print.
export function ActorLabel({ label }: { label: string }) {
  const m = /^(.*\S)\s+<([^<>]+)>$/.exec(label);
  if (!m) return <>{label}</>;
  return (
    <>
      {m[1]}
      <span className="table__sub">{m[2]}</span>
    </>
  );
}
