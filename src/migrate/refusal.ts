/** A migration that can't go ahead, for a reason the operator can act on: one line, exit status 1. */
export class MigrationRefused extends Error {}
