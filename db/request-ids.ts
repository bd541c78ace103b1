/**
 * Request ids already used: a submission's key ends with the request id its send carried
 * (`cycle/unit/phase/<id>` for a unit's obligation, `<inspection>/<id>` for a remedy report), so an id is looked
 * up by that suffix (db/form-post.ts; api/repeat-request.ts says what the form route does with the answer).
 */

/** What a request id was already used for: the version it stored and the payload stored with it. */
export interface EarlierSend {
  version: number;
  payload: unknown;
}
