/**
 * The committee's document register: report numbers run per document type through the committee's term
 * ("Số 12-BC/ĐUK" is the twelfth report of the term, not of the year). A report takes its number once, under its
 * key; compiling it again — a corrected draft — keeps the number and the date it was first given.
 */
import { withTransaction, type Db } from './pool.js';

export interface RegisterEntry {
  committeeCode: string;
  term: string;
  docType: string;
  number: number;
  reportKey: string;
  issuedOn: string;
  created: boolean;
}

export async function registerReport(
  db: Db,
  p: { committeeCode: string; term: string; docType: string; reportKey: string; issuedOn: string; firstNumber: number; actor: string },
): Promise<RegisterEntry> {
  return withTransaction(db, async (client) => {
    // One allocation at a time per register, so two compilations cannot take the same number.
    await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`register/${p.committeeCode}/${p.term}/${p.docType}`]);
    const existing = await client.query(
      "SELECT term, doc_type, number, to_char(issued_on, 'YYYY-MM-DD') AS issued_on FROM " +
        'document_register WHERE committee_code = $1 AND report_key = $2',
      [p.committeeCode, p.reportKey],
    );
    const row = existing.rows[0];
    if (row)
      return {
        committeeCode: p.committeeCode,
        term: row.term,
        docType: row.doc_type,
        number: row.number,
        reportKey: p.reportKey,
        issuedOn: row.issued_on,
        created: false,
      };
    const { rows } = await client.query(
      'SELECT max(number) AS max FROM document_register WHERE committee_code = $1 AND term = $2 AND doc_type = $3',
      [p.committeeCode, p.term, p.docType],
    );
    const number = Math.max(Number(rows[0]?.max ?? 0) + 1, p.firstNumber);
    await client.query(
      'INSERT INTO document_register (committee_code, term, doc_type, number, report_key, issued_on, ' +
        'actor) VALUES ($1, $2, $3, $4, $5, $6, $7)',
      [p.committeeCode, p.term, p.docType, number, p.reportKey, p.issuedOn, p.actor],
    );
    return {
      committeeCode: p.committeeCode,
      term: p.term,
      docType: p.docType,
      number,
      reportKey: p.reportKey,
      issuedOn: p.issuedOn,
      created: true,
    };
  });
}

export async function listRegister(db: Db, committeeCode: string): Promise<Omit<RegisterEntry, 'created'>[]> {
  const { rows } = await db.query(
    "SELECT committee_code, term, doc_type, number, report_key, to_char(issued_on, 'YYYY-MM-DD') " +
      'AS issued_on FROM document_register WHERE committee_code = $1 ORDER BY term, doc_type, number',
    [committeeCode],
  );
  return rows.map((r) => ({
    committeeCode: r.committee_code,
    term: r.term,
    docType: r.doc_type,
    number: r.number,
    reportKey: r.report_key,
    issuedOn: r.issued_on,
  }));
}
