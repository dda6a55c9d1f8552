import de from '../locales/de-DE.json';
import en from '../locales/en-US.json';
import ja from '../locales/ja-JP.json';
import { classifyAnswer, egressRefusalReason } from './delivery-policy';
import { commentTimeoutReason } from './comment-result';
import { applyResult, recordAttempt, markWaiting, supersede, type DeliveryRun } from './enhancement';
import { english, inEnglish } from './english';
import { translatorFrom, type LocaleResource } from './i18n';
import { wordReason, wordInsights } from './reason-words';
import { decideOverdue, expiredWaitReason } from './sweep';
import { UNLICENSED_MESSAGE } from './licence';
import { DEFAULT_PROJECT_SETTINGS, effectiveSettings } from './settings';
import { DUPLICATE, refusedReason } from '../handlers/start-delivery';

const german = translatorFrom(de as LocaleResource);
const japanese = translatorFrom(ja as LocaleResource);
const now = Date.parse('2026-11-28T10:00:00Z');
const response = (status: number, body: unknown) => ({ kind: 'response' as const, status, body: JSON.stringify(body) });
const reasonOf = (outcome: ReturnType<typeof classifyAnswer>) => (outcome.kind === 'accepted' ? '' : outcome.reason);

const run: DeliveryRun = {
  deliveryId: 'dlv_10001_created',
  issueId: '10001',
  issueKey: 'DEMO-1',
  projectId: '10000',
  projectKey: 'DEMO',
  trigger: 'created',
  status: 'queued',
  createdAt: '2026-11-28T09:59:00.000Z',
  updatedAt: '2026-11-28T09:59:00.000Z',
  attemptLimit: 5,
  attempts: [],
} as DeliveryRun;

describe('a stored reason worded for its reader', () => {
  it('gives every English template back unchanged, and in German and Japanese with the same facts', () => {
    const samples: Record<string, string> = { detail: 'Invalid signature', seconds: '10', status: '503', host: 'aiops.example.com', n: '5', hours: '24', minutes: '30', reason: 'AI Ops answers again; sending now', last: 'no answer', why: 'TIMEOUT', error: 'boom', execution: 'e-1', mode: 'callback', who: 'AI Ops Bot (557058:bot)', id: 'dlv_2', encoding: 'base64' };
    for (const [name, template] of Object.entries(en.reason)) {
      const text = template.replace(/\{(\w+)\}/g, (_, key: string) => samples[key]);
      expect([name, wordReason(text, english)]).toEqual([name, text]);
      const worded = wordReason(text, german);
      expect([name, worded === text]).toEqual([name, false]);
      for (const [key, value] of Object.entries(samples)) if (template.includes(`{${key}}`) && key !== 'reason' && key !== 'last') expect(worded).toContain(value);
      expect(wordReason(text, japanese)).not.toBe(text);
    }
  });

  it('words what delivering writes: each answer of AI Ops, the egress refusal, a retry given up, a wait', () => {
    expect(wordReason(reasonOf(classifyAnswer(response(401, { detail: 'Invalid signature' }), now)), german)).toBe(
      '401 von AI Ops: Das HMAC-Secret passt nicht zum Secret des Agenten (prüfen Sie das Secret und seine Schlüsselkodierung): Invalid signature',
    );
    const answers = [
      response(403, { detail: 'Agent is INACTIVE' }),
      response(404, { detail: 'Agent not found' }),
      response(422, { detail: [{ loc: ['path', 'agent_id'], msg: 'Input should be a valid UUID' }] }),
      response(400, { detail: "Payload validation failed: must NOT have additional properties (delivery_id)" }),
      response(400, { detail: 'Payload validation failed: must be string' }),
      response(500, { detail: 'Internal error' }),
      response(302, ''),
      response(202, { status: 'queued' }),
      { kind: 'network-error' as const, message: 'ECONNREFUSED' },
      { kind: 'timeout' as const, timeoutMs: 10_000 },
    ];
    for (const answer of answers) {
      const reason = reasonOf(classifyAnswer(answer as never, now));
      expect([reason, wordReason(reason, german) === reason]).toEqual([reason, false]);
    }
    expect(wordReason(egressRefusalReason('aiops.example.com'), japanese)).toBe('aiops.example.com への egress が承認されていません。Jira 管理者がアプリの管理ページで承認する必要があります。何も送信されていません');

    const failedRetry = recordAttempt(run, { kind: 'retry', reason: '503 from AI Ops: Service Unavailable', httpStatus: 503 }, { attempt: 5, atMs: now, latencyMs: 20, bytesSent: 700 });
    expect(wordReason(failedRetry.reason!, german)).toBe('nach 5 Versuchen aufgegeben: 503 von AI Ops: Service Unavailable');
    const waiting = markWaiting({ ...run, attempts: failedRetry.attempts }, now + 60_000, now);
    expect(wordReason(waiting.reason!, german)).toBe('AI Ops antwortet nicht (503 von AI Ops: Service Unavailable); die Zustellung wartet, bis AI Ops wieder erreichbar ist, und setzt dann von selbst fort');
    expect(wordReason(expiredWaitReason({ ...run, attempts: failedRetry.attempts, attemptCount: 9 }, 24), german)).toBe(
      'AI Ops war länger als 24 Stunden nicht erreichbar (9 Versuche; zuletzt: 503 von AI Ops: Service Unavailable)',
    );
  });

  it('words what ends a run later: time-outs, a newer run, the scheduled check, a lapsed licence', () => {
    const accepted = { ...run, status: 'accepted', executionId: 'e-7', resultMode: 'comment', resultDeadline: '2026-11-28T09:00:00.000Z' } as DeliveryRun;
    expect(wordReason(commentTimeoutReason(accepted, 30, { accountId: '557058:bot', displayName: 'AI Ops Bot' }), german)).toBe(
      'innerhalb von 30 Minuten, nachdem AI Ops das Ticket angenommen hat, kam kein Kommentar von AI Ops Bot (557058:bot) (Ausführung e-7)',
    );
    expect(wordReason(commentTimeoutReason(accepted, 30), german)).toMatch(/^innerhalb von 30 Minuten kam kein AI-Ops-Kommentar/);
    const decision = decideOverdue({ ...accepted, resultMode: 'callback' }, undefined, now);
    expect(decision.action === 'end' && wordReason(decision.reason, german)).toMatch(/^innerhalb von 30 Minuten, nachdem AI Ops das Ticket angenommen hat, kam kein Ergebnis \(Ausführung e-7, Ergebnisse per callback\)$/);
    expect(wordReason(supersede({ ...accepted }, 'dlv_10001_rerun-1', now)!.reason!, german)).toBe('ein späterer Lauf (dlv_10001_rerun-1) hat das Ergebnis von AI Ops erhalten');
    expect(wordReason(UNLICENSED_MESSAGE, german)).toBe((de as { licence: { message: string } }).licence.message);
  });

  it('words what the trigger and the comment trigger write without the locale files: they spell their reasons out', () => {
    // These modules stay out of the English texts to keep the triggers' bundles small; their wording must match src/locales.
    const first = recordAttempt(run, { kind: 'retry', reason: 'AI Ops did not answer within 10 s' }, { attempt: 1, atMs: now, latencyMs: 10_000, bytesSent: 700 });
    expect(wordReason(first.reason!, german)).toBe('nach 1 Versuch aufgegeben: AI Ops hat nicht innerhalb von 10 s geantwortet');
    const accepted = { ...run, status: 'accepted', executionId: 'e-7' } as DeliveryRun;
    expect(wordReason(applyResult(accepted, { status: 'failed', error: 'model quota exceeded' }, now, 'callback')!.reason!, german)).toBe('der Ticket Enhancer ist fehlgeschlagen: model quota exceeded');
    expect(wordReason(applyResult(accepted, { status: 'timed-out' }, now, 'callback')!.reason!, german)).toBe('kein Ergebnis rechtzeitig eingetroffen');
    const unset = effectiveSettings(undefined, DEFAULT_PROJECT_SETTINGS, '10000');
    expect(!unset.ok && wordReason(unset.reason, german)).toBe('die Verbindung zu AI Ops ist nicht eingerichtet: Ein Jira-Administrator muss sie auf der Administrationsseite der App einrichten');
    const noSecret = effectiveSettings({ aiopsBaseUrl: 'https://aiops.example.com' } as never, DEFAULT_PROJECT_SETTINGS, '10000');
    expect(!noSecret.ok && wordReason(noSecret.reason, japanese)).toBe('HMAC シークレットが設定されていません。Jira 管理者がアプリの管理ページで設定する必要があります');
    expect(wordReason(DUPLICATE.reason, german)).toBe('dieses Ereignis wurde bereits übermittelt');
    expect(wordReason(refusedReason(new Error('429 rate limited')), german)).toBe(
      'die Warteschlange hat die Übermittlung vorerst abgelehnt (429 rate limited); sie bleibt eingereiht und wird bei der nächsten geplanten Prüfung gesendet',
    );
    // A secret problem inside a reason is worded too.
    const format = inEnglish({ key: 'reason.secretFormatSite', params: { encoding: 'base64', error: english('secret.empty') } });
    expect(wordReason(format, german)).toBe('Konfigurationsfehler im HMAC-Secret (Schlüsselkodierung base64): das HMAC-Secret ist leer; korrigieren Sie es auf der Administrationsseite der App');
  });

  it('keeps a reason it does not know, or one cut short, in English', () => {
    expect(wordReason('something only an earlier version wrote', german)).toBe('something only an earlier version wrote');
    const cut = 'AI Ops is not answering (503 from AI Ops); the delivery waits for it to co…';
    expect(wordReason(cut, german)).toBe(cut);
  });

  it('words the charts\' failure reasons and shortens them after', () => {
    const insights = wordInsights({ topReasons: [{ key: 'configuration-401', label: reasonOf(classifyAnswer(response(401, { detail: 'x'.repeat(200) }), now)), count: 2 }] }, german);
    expect(insights.topReasons[0].label).toMatch(/^401 von AI Ops: Das HMAC-Secret passt nicht/);
    expect(insights.topReasons[0].label.length).toBe(140);
  });
});
