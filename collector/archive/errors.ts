/** An error the user can act on: the CLI prints its message as one line and exits 1. */
export class ArchiveError extends Error {
  override name = 'ArchiveError';
}
