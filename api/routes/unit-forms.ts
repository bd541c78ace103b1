/**
 * The unit's web form for one obligation, behind its signed link: GET shows the phase's form (pre-filled with
 * the last version sent, for a revision), POST stores any uploaded file, parses the fields with the phase's own
 * schema and sends the submission. Errors come back on the same page, under each field, in Vietnamese.
 *
 * The payload is parsed once, here: form fields → the phase's schema, with the facts the unit's workflow validates
 * with → the parsed payload is the Update's. Nothing between re-reads the form (the body is read once, by
 * api/body.ts's guard); the workflow's validator then checks it with the same schema and the same facts, as it
 * must (it is the truth for what enters the history).
 */
import { randomUUID } from 'node:crypto';
import type { Context, Hono } from 'hono';
import { html } from 'hono/html';
import type { Client } from '@temporalio/client';
import type { Db } from '../../db/pool.js';
import { getCycleAndUnit, type CycleRow, type UnitRow } from '../../db/cycles.js';
import { formPostContext, type FormPostContext } from '../../db/form-post.js';
import { revokedBy } from '../../db/links.js';
import { FileRefused, getFile, latestSubmission, storeFile } from '../../db/files.js';
import { phaseTitle } from '../../config/phase-lookup.js';
import { formatVietnameseDate } from '../../domain/calendar.js';
import { STATUS_LABEL_VI } from '../../domain/obligation.js';
import { phaseSpec, isPhaseId, type PhaseSpec } from '../../domain/phases/index.js';
import { CURRENT_FILE_SUFFIX } from '../../domain/phases/common.js';
import { NO_FACTS } from '../../domain/phases/define.js';
import type { FieldSpec, UnitFacts } from '../../domain/phases/types.js';
import { requestIdSchema, safeParsePayload } from '../../domain/submissions.js';
import type { LinkScope } from '../../auth/links.js';
import { ActionRefused, sendSubmission, unitView } from '../../client/unit-actions.js';
import type { ObligationView, UnitView } from '../../workflows/messages.js';
import { reportRemedy } from '../../client/inspection-actions.js';
import { repeatNotice, samePayload } from '../repeat-request.js';
import { openRemedyInspection } from '../../db/inspections.js';
import { FactsCache } from '../facts-cache.js';

const REMEDY_PHASE = 'inspection-remedy';
import { formBody } from '../body.js';
import { busyFormResponse, isEngineBusy, resendAttempt } from '../busy.js';
import { errorsByField, refusalErrors, renderPhaseForm } from '../forms.js';
import { messagePage, page } from '../pages.js';

/** What the page's heading shows of the unit's obligation. */
type ShownObligation = Pick<ObligationView, 'deadline' | 'status' | 'versions'>;

export interface UnitFormDeps {
  db: Db;
  client: Client;
  /** The link's scope or the page refusing it; `revoked` replaces the revocation's own query (api/server.ts). */
  scopeOf(c: Context, revoked?: (scope: LinkScope, issuedAtMs: number) => Promise<boolean>): Promise<LinkScope | Response>;
}

/** A stored payload as flat form values ("figures.members" → "120"), so a revision starts from what was sent. */
export function flatten(value: unknown, prefix = '', out: Record<string, string> = {}): Record<string, string> {
  if (value === null || value === undefined) return out;
  if (Array.isArray(value)) {
    // Lists (models, proposals) are edited as lines "Tên | tập thể/cá nhân | mô tả".
    out[prefix] = value
      .map((item) => {
        const o = item as Record<string, unknown>;
        return [o.name, o.kind === 'ca-nhan' ? 'cá nhân' : 'tập thể', o.description ?? o.reason ?? ''].filter((x) => x !== '').join(' | ');
      })
      .join('\n');
    return out;
  }
  if (typeof value === 'object') {
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) flatten(v, prefix ? `${prefix}.${k}` : k, out);
    return out;
  }
  // What is left of a JSON payload: a string, a number or a boolean.
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') out[prefix] = String(value);
  return out;
}

/**
 * A post's fields as the "busy" page sends them again: the same request id, and a file already stored by this post
 * named by its stored id in "<field>:current" (a page cannot hold the file itself; the route reads the id from there).
 */
export function resendFields(fields: Record<string, string>, fileFields: string[], requestId: string): Record<string, string> {
  const out: Record<string, string> = { ...fields, requestId };
  for (const name of fileFields) {
    const id = out[name] ?? out[name + CURRENT_FILE_SUFFIX];
    delete out[name];
    delete out[`${name}:name`];
    if (id) out[name + CURRENT_FILE_SUFFIX] = id;
    else delete out[name + CURRENT_FILE_SUFFIX];
  }
  return out;
}

function fileFieldNames(spec: PhaseSpec): string[] {
  return spec.form.filter((f) => f.kind === 'file').map((f) => f.name);
}

/** Where the form asks for the unit's member count: "members", or "figures.members" in the year-end report. */
function membersPath(form: FieldSpec[]): string | undefined {
  if (form.some((f) => f.kind === 'number' && f.name === 'members')) return 'members';
  const figures = form.find((f) => f.kind === 'group' && f.name === 'figures');
  return figures?.kind === 'group' && figures.fields.some((g) => g.name === 'members') ? 'figures.members' : undefined;
}

/**
 * What a payload is checked against at this edge: the facts the workflow that takes it validates with, never the
 * units table's row. The unit's workflow answers its view with them (`facts`: the member count it was launched
 * with, the cycle's margin); a row edited since would make the form refuse what the workflow accepts, or the
 * reverse. When the workflow does not answer, the edge checks no member count (NO_FACTS: no cap, no margin) and
 * leaves it to the validator, whose refusal the form shows under the same field in the same words (refusalErrors).
 * A remedy report goes to the inspection's workflow, which parses it with NO_FACTS: so does the edge.
 */
export function edgeFacts(phase: string, view: Pick<UnitView, 'facts'> | undefined): UnitFacts {
  if (phase === REMEDY_PHASE) return NO_FACTS;
  return view?.facts ?? NO_FACTS;
}

export function registerUnitFormRoutes(app: Hono, deps: UnitFormDeps): void {
  const factsCache = new FactsCache();
  /**
   * What the page is about, from the database alone; `top(obligation)` draws its heading. `known`: the cycle and
   * unit already read with the rest of a form post's context (db/form-post.ts).
   */
  async function header(scope: LinkScope, known?: { cycle?: CycleRow | undefined; unit?: UnitRow | undefined }) {
    const { cycle, unit } = known ?? (await getCycleAndUnit(deps.db, scope.cycleId, scope.unitCode));
    if (!cycle || !unit || !isPhaseId(scope.phase)) return undefined;
    const def = cycle.definition;
    // A remedy report is owed to the unit's open inspection, not to its own workflow.
    const inspection = scope.phase === REMEDY_PHASE ? await openRemedyInspection(deps.db, scope.cycleId, scope.unitCode) : undefined;
    return {
      unit,
      inspection,
      spec: phaseSpec(scope.phase),
      /** The heading, with the obligation's deadline, status and versions as the unit workflow has them. */
      top: (obligation: ShownObligation | undefined) => {
        const deadline = obligation?.deadline ?? inspection?.remedyDeadline ?? def.phases.find((p) => p.id === scope.phase)?.deadline;
        return html`<p class="muted">${def.committee.name}</p><p class="muted">${def.committee.standingBody.name}</p>
<h1>${phaseTitle(def, scope.phase)}</h1>
<p><b>${unit.name}</b></p>
<p class="muted">Theo ${def.plan.number}</p>
${deadline ? html`<p class="deadline">Hạn nộp: <b>${formatVietnameseDate(deadline)}</b></p>` : ''}
<p>Trạng thái: <span class="status" id="status">${obligation ? STATUS_LABEL_VI[obligation.status] : 'Không rõ'}</span>${obligation && obligation.versions > 0 ? html` · đã nộp ${obligation.versions} lần` : ''}</p>`;
      },
    };
  }

  /** The unit workflow's view now (one query gives both the obligation shown and the facts checked). */
  const liveView = (scope: LinkScope) => unitView(deps.client, scope.cycleId, scope.unitCode);
  const obligationIn = (view: UnitView | undefined, scope: LinkScope): ShownObligation | undefined =>
    view?.obligations.find((o) => o.phase === scope.phase);
  /** The obligation as the unit workflow has it now: a query, for pages drawn without a fresh receipt. */
  const liveObligation = async (scope: LinkScope) => obligationIn(await liveView(scope), scope);

  const notFound = (c: Context) =>
    c.html(messagePage('Không tìm thấy', 'Không tìm thấy đơn vị, chu kỳ hoặc biểu mẫu của đường dẫn này.'), 404);

  app.get('/f/:token', async (c) => {
    const scope = await deps.scopeOf(c);
    if (scope instanceof Response) return scope;
    const h = await header(scope);
    if (!h) return notFound(c);
    const last = await latestSubmission(deps.db, scope.cycleId, scope.unitCode, scope.phase);
    const values = last ? flatten(last.payload) : {};
    const view = await liveView(scope);
    if (view?.facts) factsCache.set(scope.cycleId, scope.unitCode, view.facts);
    const facts = edgeFacts(scope.phase, view);
    const form = h.spec.formFor(facts);
    // A first report starts from the member count the workflow checks against: a unit changes it only with a reason.
    const prefill = membersPath(form);
    if (!last && prefill && facts.members > 0) values[prefill] = String(facts.members);
    for (const name of fileFieldNames(h.spec)) {
      if (values[name]) {
        values[name + CURRENT_FILE_SUFFIX] = values[name]!;
        values[`${name}:name`] = (await getFile(deps.db, values[name]))?.filename ?? '';
      }
    }
    const top = h.top(obligationIn(view, scope));
    return c.html(
      page(
        `${h.spec.title} — ${h.unit.name}`,
        html`${top}${renderPhaseForm(h.spec, { values, errors: {}, requestId: randomUUID(), fields: form })}`,
      ),
    );
  });

  app.post('/f/:token', async (c) => {
    // The body was read by formBodyGuard before the link is checked, so its request id is at hand: the revocation,
    // the cycle and unit, and an earlier send of the same id are read in one query once the signature holds.
    const body = await formBody(c);
    const postedId = typeof body.requestId === 'string' && requestIdSchema.safeParse(body.requestId).success ? body.requestId : undefined;
    let context: FormPostContext | undefined;
    const scope = await deps.scopeOf(c, async (s, issuedAtMs) => {
      context = await formPostContext(deps.db, s, postedId);
      return revokedBy(context.revokedBeforeSecond, issuedAtMs);
    });
    if (scope instanceof Response) return scope;
    const h = await header(scope, context);
    if (!h) return notFound(c);
    const fields: Record<string, string> = {};
    const fileErrors: Record<string, string> = {};
    for (const [name, value] of Object.entries(body)) {
      if (typeof value === 'string') fields[name] = value;
    }
    // Uploaded files are stored first; the form field then carries the stored file's id.
    for (const name of fileFieldNames(h.spec)) {
      const file = body[name];
      if (file instanceof File && file.size > 0) {
        try {
          fields[name] = await storeFile(deps.db, {
            cycleId: scope.cycleId,
            unitCode: scope.unitCode,
            phase: scope.phase,
            filename: file.name,
            contentType: file.type,
            content: Buffer.from(await file.arrayBuffer()),
            uploadedBy: `unit:${scope.unitCode}`,
          });
        } catch (err) {
          if (!(err instanceof FileRefused)) throw err;
          fileErrors[name] = err.message;
        }
      } else delete fields[name];
    }
    for (const name of fileFieldNames(h.spec)) {
      const id = fields[name] ?? fields[name + CURRENT_FILE_SUFFIX];
      const file = id ? await getFile(deps.db, id) : undefined;
      // A file id from the hidden field names only this unit's own files: another unit's is dropped.
      if (file && (file.cycleId !== scope.cycleId || file.unitCode !== scope.unitCode)) {
        delete fields[name];
        delete fields[name + CURRENT_FILE_SUFFIX];
      } else if (id) fields[`${name}:name`] = file?.filename ?? '';
    }
    const requestId = postedId ?? randomUUID();
    // The workflow is asked for its facts only when they are not cached (api/facts-cache.ts); its view is then at
    // hand for a refused post's heading too, which otherwise asks when it is drawn.
    let view: UnitView | undefined;
    let facts = scope.phase === REMEDY_PHASE ? NO_FACTS : factsCache.get(scope.cycleId, scope.unitCode);
    if (!facts) {
      view = await liveView(scope);
      if (view?.facts) factsCache.set(scope.cycleId, scope.unitCode, view.facts);
      facts = edgeFacts(scope.phase, view);
    }
    const form = h.spec.formFor(facts);
    // The one parse of the payload: its output is what the Update carries.
    const parsed = safeParsePayload(h.spec.schema(facts), h.spec.fromForm(fields));
    // The heading shows the obligation after this request: from the receipt when the submission is accepted (no
    // second query), else from the workflow as it stands.
    const show = async (
      status: 200 | 400 | 409 | 422,
      extra: { errors?: Record<string, string>; notice?: { kind: 'ok' | 'bad'; text: string }; freshRequestId?: boolean },
      known?: ReturnType<typeof h.top>,
    ) => {
      const top = known ?? h.top(status === 400 && !extra.notice && view ? obligationIn(view, scope) : await liveObligation(scope));
      return c.html(
        page(
          `${h.spec.title} — ${h.unit.name}`,
          html`${top}${extra.notice ? html`<div class="box ${extra.notice.kind}" id="notice" role="${extra.notice.kind === 'bad' ? 'alert' : 'status'}">${extra.notice.text}</div>` : ''}${renderPhaseForm(
            h.spec,
            {
              values: fields,
              errors: extra.errors ?? {},
              requestId: status === 200 || extra.freshRequestId ? randomUUID() : requestId,
              fields: form,
            },
          )}`,
        ),
        status,
      );
    };
    if (!parsed.success || Object.keys(fileErrors).length) {
      return show(400, { errors: { ...(parsed.success ? {} : errorsByField(parsed.error)), ...fileErrors } });
    }
    // The same request id with other content: an old page sent again (api/repeat-request.ts). Nothing is sent; the
    // unit is told, and the form gets a fresh id so that its next send is stored as a new version.
    const earlier = context?.earlier;
    if (earlier && !samePayload(earlier.payload, parsed.data)) {
      return show(409, { notice: { kind: 'bad', text: repeatNotice(earlier.version) }, freshRequestId: true });
    }
    try {
      // The unit and phase come from the signed link only; nothing in the form can point elsewhere.
      const submission = {
        phase: scope.phase,
        payload: parsed.data,
        actor: { id: `unit:${scope.unitCode}`, via: 'web' as const },
        requestId,
      };
      if (scope.phase === REMEDY_PHASE && !h.inspection)
        throw new ActionRefused('Đơn vị không có yêu cầu khắc phục nào đang chờ báo cáo', 409);
      const receipt = h.inspection
        ? await reportRemedy(deps.client, h.inspection.id, submission)
        : await sendSubmission(deps.client, scope.cycleId, scope.unitCode, submission);
      // The unit workflow's receipt is its obligation after this submission (a remedy is the inspection's: asked).
      const top = h.inspection
        ? h.top(await liveObligation(scope))
        : h.top({ deadline: receipt.deadline, status: receipt.status, versions: receipt.version });
      const followUp =
        receipt.underTarget && scope.phase === 'study'
          ? ' Đơn vị chưa đạt chỉ tiêu: cần tổ chức quán triệt bổ sung; thư hướng dẫn sẽ được gửi tới đơn vị.'
          : '';
      return show(
        200,
        {
          notice: {
            kind: 'ok',
            text:
              `Đã nhận (lần ${receipt.version}${receipt.late ? ', nộp chậm' : ', đúng hạn'}). Thư xác nhận ` +
              `sẽ được gửi tới email của đơn vị.${followUp}`,
          },
        },
        top,
      );
    } catch (err) {
      // The engine did not answer in time, or turned the Update away for load: the page keeps what was sent, with the
      // same request id, and sends it again (api/busy.ts); the repeat is stored once (api/repeat-request.ts).
      if (isEngineBusy(err)) {
        return busyFormResponse(c, {
          title: `${h.spec.title} — ${h.unit.name}`,
          // A busy engine is not asked again: the status as this post found it, if it asked, else "Không rõ".
          top: h.top(obligationIn(view, scope)),
          fields: resendFields(fields, fileFieldNames(h.spec), requestId),
          attempt: resendAttempt(fields),
        });
      }
      if (!(err instanceof ActionRefused)) throw err;
      // The validator refused fields of the form (a member count checked against facts the edge did not have):
      // shown under them, as the edge's own parse shows its refusals. Anything else (a deadline, a closed cycle) on top.
      const byField = refusalErrors(err.message, form);
      if (byField) return show(400, { errors: byField });
      return show(err.httpStatus === 400 ? 400 : 422, { notice: { kind: 'bad', text: `Chưa nộp được: ${err.message}` } });
    }
  });
}
