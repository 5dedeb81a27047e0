/** `postgres://user:password@host/db` with the password (and any `password=` parameter) hidden. */
export function redactConnectionString(connectionString: string): string {
  try {
    const url = new URL(connectionString);
    if (url.password) url.password = '***';
    if (url.searchParams.has('password')) url.searchParams.set('password', '***');
    return url.toString();
  } catch {
    return '(unparseable connection string)';
  }
}
