/**
 * The one rule for showing a URL that may hold a password (a database, a store, the scheduler): the
 * user-info password and any `password=`/`pass=`/`pwd=` query option become `***`. Works on text that
 * is not a valid URL too (a broken setting is echoed in its error, masked the same way).
 */
export function maskUrlPassword(text: string): string {
  return text
    .replace(/(:\/\/[^:/@]*:)[^@/]*@/, "$1***@")
    .replace(/([?&](?:password|pass|pwd)=)[^&#]*/gi, "$1***");
}
