/**
 * The review policy: agencies, funders, tier rules, SLAs and licence terms.
 * A data file validated here; workflows receive the parsed snapshot in their
 * input, so editing the file never changes a running workflow.
 */
import { z } from 'zod';
import { msToNumber } from '@temporalio/common/lib/time';
import { COMPLIANCE_DEFAULTS } from './compliance-calendar';
import { countryCode, email, slug } from './primitives';
import { DOCUMENT_DEFAULTS, KNOWN_TYPES } from './documents';

/** "30d", "14 days", "10s", "4y" → milliseconds (the `ms` format Temporal uses). */
export const duration = z.string().transform((text, ctx) => {
  let ms: number | undefined;
  try {
    ms = msToNumber(text as never);
  } catch {
    ms = undefined;
  }
  if (ms === undefined || !Number.isFinite(ms) || ms <= 0) {
    ctx.addIssue({ code: 'custom', message: `"${text}" is not a positive duration such as "30d", "12h" or "10s"` });
    return z.NEVER;
  }
  return ms;
});

/** A deadline: a duration, or working days ("10wd") counted on the deciding agency's country's public holidays. */
export const deadline = z.string().transform((text, ctx): number | { workingDays: number } => {
  const wd = /^\s*(\d+)\s*wd\s*$/.exec(text);
  if (!wd) {
    const ms = duration.safeParse(text);
    if (ms.success) return ms.data;
    ctx.addIssue({ code: 'custom', message: `"${text}" is neither a duration such as "30d" nor working days such as "10wd"` });
    return z.NEVER;
  }
  const workingDays = Number(wd[1]);
  if (workingDays < 1 || workingDays > 366) {
    ctx.addIssue({ code: 'custom', message: `"${text}" must be between 1wd and 366wd` });
    return z.NEVER;
  }
  return { workingDays };
});
export type Deadline = z.output<typeof deadline>;

export const tierSchema = z.enum(['T0', 'T1', 'T2', 'T3']);
export type Tier = z.infer<typeof tierSchema>;

const agencySchema = z.object({
  id: slug,
  name: z.string().min(1),
  country: countryCode,
  /** `licensing` issues the licence for its country; `reviewing` agencies are consulted by reason for control. */
  role: z.enum(['licensing', 'reviewing']),
  /** Reasons for control (NS, MT, NP, CB, AT…) a reviewing agency is consulted for; empty = never by reason (a defence agency still joins T3 reviews). */
  reasons: z.array(z.string()).default([]),
  /** The agency that gives the defence review of T3 components. */
  defence: z.boolean().default(false),
  regime: z.string().min(1),
  reviewers: z.array(email).min(1),
  seniorReviewers: z.array(email).default([]),
  /** Where the applicant appeals this agency's denial (licensing agencies; US: the Under Secretary, EAR part 756). */
  appealBody: z.object({ id: slug, name: z.string().min(1), chair: email, appealWithin: duration, decideWithin: duration }).optional(),
});

/**
 * Something a funder's tranche waits on besides the licences (DOMAIN "Research funders"): a deliverable document
 * (`document`: Horizon Europe's ethics and security deliverables from the appraisal), or a valid training
 * certificate of everyone with access to controlled software or technology (`training`). `requiredWhen` says which
 * projects owe it: every one, those with a listed item, or those that release controlled software or technology.
 */
const trancheConditionSchema = z.object({
  id: slug,
  name: z.string().min(1),
  kind: z.enum(['document', 'training']),
  requiredWhen: z.enum(['always', 'listed-items', 'controlled-technology']),
  /** Who owes it, in words the cycle's outcome names. */
  owedBy: z.string().min(1).default('the coordinator'),
});

const funderSchema = z.object({
  id: slug,
  name: z.string().min(1),
  reviewers: z.array(email).min(1),
  /** Who a silent grant review escalates to. */
  seniorReviewers: z.array(email).default([]),
  /** Funds civil activities only (Horizon Europe): a military-list component is refused at submission. */
  civilOnly: z.boolean().default(false),
  /** What a tranche waits on besides the licences: deliverables and training certificates. */
  trancheConditions: z.array(trancheConditionSchema).default([]),
});

const ladderLevelSchema = z.object({
  id: slug,
  name: z.string().min(1),
  chair: email,
  decideWithin: duration,
  appealWithin: duration.optional(),
});

/**
 * A regime's consultation (DOMAIN.md "Who holds authority"). Whoever is
 * consulted, their silence is no objection once `within` has passed; what an
 * objection does is the regime's: `ladder` (US, EO 12981: disagreement climbs
 * the regime's ladder), `binding` (EU 2021/821: the issuer must deny),
 * `advisory` (the issuer decides).
 */
const consultationSchema = z.object({
  /**
   * `reviewing-agencies`: the issuer's country's reviewing agencies by reason for control;
   * `member-states`: the licensing agencies of the regime's other states where the items are or will be located.
   */
  whom: z.enum(['reviewing-agencies', 'member-states']),
  within: deadline,
  objection: z.enum(['ladder', 'binding', 'advisory']),
});

/**
 * How a regime treats a release of controlled software or technology to a person inside the country (a deemed
 * export, domain/deemed-exports.ts). `export`: a release to a person who is neither a citizen nor a permanent
 * resident of the country (`of: country`) or of any member state (`of: union`) is an export to their countries of
 * citizenship and residence, reviewed by the licensing agency of the country where they work. `not-an-export`: the
 * regime has no such rule. `basis` is what the control plan and the step cite.
 */
const releaseToForeignPersonSchema = z.object({
  treatedAs: z.enum(['export', 'not-an-export']),
  of: z.enum(['country', 'union']).default('country'),
  basis: z.string().min(1),
});

/** The Union's lists (Regulation (EU) 2021/821), for a regime that consults Member States: see domain/eu-dual-use.ts. */
const unionSchema = z.object({
  members: z.array(countryCode).min(1),
  generalAuthorisationDestinations: z.array(countryCode),
  annexIV: z.array(z.string().regex(/^[0-9][A-E]([0-9]{0,3}[a-z0-9.]*)?$/, 'must be a control code or a prefix of one, such as "0B001" or "0B"')),
  /** Art. 14(2): a Member State's request on its essential security interests is a non-binding consultation of this long. */
  essentialSecurityWithin: deadline,
  /** Where the lists were read, to recheck against the consolidated text. */
  source: z.string().optional(),
});

const regimeSchema = z.object({
  licenceValidity: duration,
  reportingPeriod: duration,
  recordKeeping: duration,
  consultation: consultationSchema,
  /** The legal limit of a case, waiting time excluded (US: 90 days); past it the case is flagged out of time. Default: `sla.caseLimit`. */
  caseLimit: duration.optional(),
  /** Where disagreement between the issuer and a consulted agency climbs (`objection: ladder`). */
  ladder: z.array(ladderLevelSchema).min(1).optional(),
  /** A denial starts with a notice of intent (US, EAR §750.6): the applicant may respond within `respondWithin`; final `finalAfter` the notice. */
  intentToDeny: z.object({ respondWithin: duration, finalAfter: duration }).optional(),
  /** The Union's lists, required where `consultation.whom` is `member-states`. */
  union: unionSchema.optional(),
  /** Releases to foreign persons (deemed exports); absent: the regime has no such rule. */
  releaseToForeignPerson: releaseToForeignPersonSchema.optional(),
});

/** A country's military licensing (domain/military.ts): outside 2021/821, under national law. */
const militaryRegimeSchema = z.object({
  authority: slug,
  terms: z.string().min(1),
  law: z.string().min(1),
  transferLaw: z.string().min(1).optional(),
  warWeapons: z
    .object({
      authority: slug,
      law: z.string().min(1),
      codes: z.array(z.string().regex(/^ML([1-9]|1[0-9]|2[0-2])$/, 'must be a military list entry such as "ML4"')).min(1),
    })
    .optional(),
});

/** Post-licence compliance; the reporting period itself comes from the licence's regime. Optional: defaults in compliance-calendar.ts. */
const complianceSchema = z.object({
  reportDueWithin: duration.default(COMPLIANCE_DEFAULTS.reportDueWithin),
  correctiveActionWithin: duration.default(COMPLIANCE_DEFAULTS.correctiveActionWithin),
  suspensionBeforeRevocation: duration.default(COMPLIANCE_DEFAULTS.suspensionBeforeRevocation),
  holderAnswerWithin: duration.default(COMPLIANCE_DEFAULTS.holderAnswerWithin),
  issuerDecisionWithin: duration.default(COMPLIANCE_DEFAULTS.issuerDecisionWithin),
  renewalReminderBefore: duration.default(COMPLIANCE_DEFAULTS.renewalReminderBefore),
  missedReport: z.enum(['corrective-action', 'record-only']).default(COMPLIANCE_DEFAULTS.missedReport),
});

/** Uploads: the types taken (named from the bytes, domain/documents.ts), the size limit, and reviewers' download links. Optional, with defaults. */
const documentsSchema = z.object({
  allowedTypes: z
    .array(z.enum(KNOWN_TYPES))
    .min(1)
    .default(() => [...DOCUMENT_DEFAULTS.allowedTypes] as (typeof KNOWN_TYPES)[number][]),
  maxBytes: z
    .number()
    .int()
    .min(1)
    .max(1024 * 1024 * 1024)
    .default(DOCUMENT_DEFAULTS.maxBytes),
  maxFiles: z.number().int().min(1).max(20).default(DOCUMENT_DEFAULTS.maxFiles),
  /** How long a reviewer's signed download link works. */
  linkValidFor: duration.optional().transform((ms) => ms ?? DOCUMENT_DEFAULTS.linkValidFor),
});

export const policySchema = z
  .object({
    version: z.string().min(1),
    agencies: z.array(agencySchema).min(1),
    funders: z.array(funderSchema).min(1),
    classification: z.object({
      civilianEndUses: z.array(z.string()),
      sensitiveReasons: z.array(z.string()),
      preApprovedDestinations: z.array(countryCode),
      preApprovedEndUses: z.array(z.string()),
      embargoedDestinations: z.array(countryCode),
    }),
    sla: z.object({
      grantReview: duration,
      tierLoweringReview: duration,
      agencyReview: duration,
      seniorSignOff: duration,
      infoRequestWithin: duration,
      /** A request for information unanswered this long closes the component's review as `returned` (UK: 20 working days). */
      returnUnansweredAfter: deadline,
      /** How long a returned component may be submitted again before its project may close. */
      resubmitWithin: duration,
      /** Whole case, excluding time the clock is stopped for the applicant's information, where the regime sets no limit of its own. */
      caseLimit: duration,
      /** When the licensee's written acknowledgement of reviewers' conditions is due (reminded, never assumed). */
      acknowledgeWithin: duration.default(30 * 86_400_000),
      /** A deemed-export review (a release of controlled technology to a foreign person): the issuer's own clock. */
      deemedExportReview: duration.default(30 * 86_400_000),
      /** The post-project review of a closed project, for the coordinator and the lead agency. */
      postProjectReview: duration.default(30 * 86_400_000),
    }),
    reminders: z.object({ every: duration }),
    regimes: z.record(z.string(), regimeSchema),
    licenceConditions: z.record(tierSchema, z.array(z.string())),
    /** Tiers whose conditions require each recipient's written acknowledgement before the licence is in use (T3's do). */
    acknowledgedByEachRecipient: z.array(tierSchema).default(['T3']),
    links: z.object({ validFor: duration }),
    compliance: complianceSchema.default(() => ({ ...COMPLIANCE_DEFAULTS })),
    /** Per exporter country: who licenses military-list items, under which law. A military export from a country not listed is refused at submission. */
    militaryRegimes: z.record(countryCode, militaryRegimeSchema).optional(),
    documents: documentsSchema.default(() => ({ ...DOCUMENT_DEFAULTS, allowedTypes: [...DOCUMENT_DEFAULTS.allowedTypes] as (typeof KNOWN_TYPES)[number][] })),
  })
  .superRefine((policy, ctx) => {
    const ids = new Set<string>();
    policy.agencies.forEach((agency, i) => {
      if (ids.has(agency.id)) ctx.addIssue({ code: 'custom', path: ['agencies', i, 'id'], message: `duplicate agency id "${agency.id}"` });
      ids.add(agency.id);
      if (!policy.regimes[agency.regime]) {
        ctx.addIssue({ code: 'custom', path: ['agencies', i, 'regime'], message: `regime "${agency.regime}" is not defined in regimes` });
      }
      if (agency.role === 'licensing' && !agency.appealBody) {
        ctx.addIssue({
          code: 'custom',
          path: ['agencies', i, 'appealBody'],
          message: `licensing agency "${agency.id}" needs an appealBody: where its denials are appealed`,
        });
      }
    });
    for (const [name, regime] of Object.entries(policy.regimes)) {
      if (regime.consultation.objection === 'ladder' && !regime.ladder) {
        ctx.addIssue({ code: 'custom', path: ['regimes', name, 'ladder'], message: `regime ${name} sends disagreement up a ladder, so it needs one` });
      }
      if (regime.consultation.whom === 'member-states' && !regime.union) {
        ctx.addIssue({
          code: 'custom',
          path: ['regimes', name, 'union'],
          message: `regime ${name} consults Member States, so it needs "union": its members, the EU001 destinations and the Annex IV entries`,
        });
      }
    }
    for (const [country, military] of Object.entries(policy.militaryRegimes ?? {})) {
      const path = ['militaryRegimes', country];
      const authority = policy.agencies.find((a) => a.id === military.authority);
      if (!authority || authority.country !== country) {
        ctx.addIssue({ code: 'custom', path: [...path, 'authority'], message: `"${military.authority}" is not an agency of ${country}` });
      } else if (!authority.appealBody) {
        ctx.addIssue({ code: 'custom', path: [...path, 'authority'], message: `"${military.authority}" issues licences, so it needs an appealBody` });
      }
      if (!policy.regimes[military.terms])
        ctx.addIssue({ code: 'custom', path: [...path, 'terms'], message: `regime "${military.terms}" is not defined in regimes` });
      const warWeapons = military.warWeapons && policy.agencies.find((a) => a.id === military.warWeapons!.authority);
      if (military.warWeapons && (!warWeapons || warWeapons.country !== country)) {
        ctx.addIssue({
          code: 'custom',
          path: [...path, 'warWeapons', 'authority'],
          message: `"${military.warWeapons.authority}" is not an agency of ${country}`,
        });
      }
    }
    const licensingCountries = new Map<string, number>();
    for (const agency of policy.agencies) {
      if (agency.role === 'licensing') licensingCountries.set(agency.country, (licensingCountries.get(agency.country) ?? 0) + 1);
    }
    for (const [country, count] of licensingCountries) {
      if (count > 1) ctx.addIssue({ code: 'custom', path: ['agencies'], message: `country ${country} has ${count} licensing agencies; it needs exactly one` });
    }
    policy.agencies.forEach((agency, i) => {
      if (!licensingCountries.has(agency.country)) {
        ctx.addIssue({ code: 'custom', path: ['agencies', i, 'country'], message: `country ${agency.country} has no licensing agency` });
      }
    });
    // A T3 component led from any country needs a defence reviewer there (routing.ts relies on it).
    for (const country of licensingCountries.keys()) {
      if (!policy.agencies.some((a) => a.country === country && a.defence)) {
        ctx.addIssue({ code: 'custom', path: ['agencies'], message: `country ${country} has no defence reviewer (an agency with "defence": true)` });
      }
    }
  });

export type PolicyFile = z.input<typeof policySchema>;
/** The parsed policy: every duration in milliseconds. */
export type Policy = z.output<typeof policySchema>;
export type Agency = Policy['agencies'][number];
export type Funder = Policy['funders'][number];
export type TrancheCondition = Funder['trancheConditions'][number];
export type ReleaseToForeignPerson = NonNullable<Regime['releaseToForeignPerson']>;
export type Regime = Policy['regimes'][string];
export type LadderLevel = NonNullable<Regime['ladder']>[number];
