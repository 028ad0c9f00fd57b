/** The project submission (domain/project.ts): the fixture passes; each defect is reported at its path. */
import { projectSubmissionSchema } from '../../domain/project';
import { allTiersProject } from '../helpers/fixtures';
import { policySchema } from '../../domain/policy';
import { testPolicy, testPolicyFile } from '../helpers/policy';

const schema = projectSubmissionSchema(testPolicy());

/** A fresh, valid submission as untyped JSON, the way it arrives over HTTP. */
const submission = (): any => JSON.parse(JSON.stringify(allTiersProject('p-schema')));

/** "path: message" for every issue, so a failing expectation shows what was reported instead. */
function issues(body: unknown): string[] {
  const result = schema.safeParse(body);
  return result.success ? [] : result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
}

it('accepts the all-tiers fixture unchanged', () => {
  const body = submission();
  const result = schema.safeParse(body);
  expect(result.success).toBe(true);
  expect(result.data).toEqual(body);
});

it('fills the optional parts with their defaults', () => {
  const body = submission();
  delete body.components[0].description;
  delete body.milestones;
  const parsed = schema.parse(body);
  expect(parsed.milestones).toEqual([]);
  expect(parsed.components[0].description).toBe('');
});

it.each<[string, (b: any) => void, RegExp]>([
  [
    'a missing title',
    (b) => {
      delete b.title;
    },
    /^title: /,
  ],
  [
    'a blank title',
    (b) => {
      b.title = '   ';
    },
    /^title: must not be empty/,
  ],
  [
    'an unknown funder',
    (b) => {
      b.funderId = 'nobody';
    },
    /^funderId: unknown funder "nobody"/,
  ],
  [
    'a lower-case country code',
    (b) => {
      b.partners[1].country = 'us';
    },
    /^partners\.1\.country: must be an ISO 3166/,
  ],
  [
    'an exporter whose country has no licensing agency to issue',
    (b) => {
      b.partners[1].country = 'BR';
      b.components[1].exporter = 'ornl';
    },
    /^components\.1\.exporter: component "c1" is exported from BR, which has no licensing agency in policy test-seconds to issue it$/,
  ],
  [
    'a coordinator whose country has no lead agency',
    (b) => {
      b.partners[0].country = 'BR';
    },
    /^coordinator\.partnerId: the coordinator's country BR has no licensing agency in policy test-seconds: its lead agency reviews the grant$/,
  ],
  [
    'a military item exported from a country without a military licensing authority',
    (b) => {
      b.partners[1].country = 'JP';
      b.components[3].exporter = 'ornl';
    },
    /^components\.3\.controlCodes: component "c3" is on the military list and exported from JP, which has no military licensing authority/,
  ],
  [
    'a heldIn that is not a country code',
    (b) => {
      b.components[1].heldIn = 'France';
    },
    /^components\.1\.heldIn: must be an ISO 3166 alpha-2 country code/,
  ],
  [
    'duplicate component ids',
    (b) => {
      b.components[1].id = 'c0';
    },
    /^components: component id "c0" is used twice/,
  ],
  [
    'a recipient that is not a partner',
    (b) => {
      b.components[2].recipients = ['ornl', 'cern'];
    },
    /^components\.2\.recipients\.1: "cern" is not one of the partners/,
  ],
  [
    'a coordinator outside the partners',
    (b) => {
      b.coordinator.partnerId = 'cern';
    },
    /^coordinator\.partnerId: "cern" is not one of the partners/,
  ],
  [
    'a bad coordinator e-mail',
    (b) => {
      b.coordinator.email = 'weber at kit';
    },
    /^coordinator\.email: /,
  ],
  [
    'a milestone on an unknown component',
    (b) => {
      b.milestones[0].componentIds = ['c1', 'c9'];
    },
    /^milestones\.0\.componentIds\.1: "c9" is not one of the components/,
  ],
  [
    'a control code of the wrong shape',
    (b) => {
      b.components[1].controlCodes = ['3A001', 'XYZ-1'];
    },
    /^components\.1\.controlCodes\.1: must look like/,
  ],
  [
    'an unknown top-level field',
    (b) => {
      b.budget = 1_000_000;
    },
    /^: .*budget/,
  ],
  [
    'an unknown component field',
    (b) => {
      b.components[0].owner = 'kit';
    },
    /^components\.0: .*owner/,
  ],
  [
    'a due date that is not a date',
    (b) => {
      b.milestones[0].dueAt = '30 June 2027';
    },
    /^milestones\.0\.dueAt: must be an ISO 8601/,
  ],
  [
    'a due date without a time zone',
    (b) => {
      b.milestones[0].dueAt = '2027-06-30T00:00:00';
    },
    /^milestones\.0\.dueAt: /,
  ],
  [
    'no destinations',
    (b) => {
      b.components[0].destinations = [];
    },
    /^components\.0\.destinations: /,
  ],
])('rejects %s', (_what, change, expected) => {
  const body = submission();
  change(body);
  expect(issues(body)).toContainEqual(expect.stringMatching(expected));
});

describe('an agency is needed only where a country issues or is consulted (DOMAIN.md "Who holds authority")', () => {
  const receivingIn = (country: string) => {
    const body = submission();
    body.partners.push({ id: 'receiver', name: 'Receiving partner', country });
    body.components[1].recipients = ['receiver'];
    body.components[1].destinations = [country];
    return body;
  };
  it('a partner that only receives needs none: Italy and Switzerland have one anyway, Brazil has none and still passes', () => {
    expect(issues(receivingIn('IT'))).toEqual([]);
    expect(issues(receivingIn('CH'))).toEqual([]);
    expect(issues(receivingIn('BR'))).toEqual([]);
  });
  it('a consulted heldIn state (Art. 14(1)) without an agency is refused, naming it', () => {
    const file = testPolicyFile();
    // A policy without France: its agencies and its military regime go.
    file.agencies = file.agencies.filter((a) => a.country !== 'FR');
    delete file.militaryRegimes!.FR;
    const withoutFrance = projectSubmissionSchema(policySchema.parse(file));
    const body = receivingIn('KR');
    body.components[1].heldIn = 'FR';
    const result = withoutFrance.safeParse(body);
    expect(result.success ? [] : result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`)).toEqual([
      'components.1.heldIn: component "c1" is held in FR, which may be consulted (Art. 14(1)) but has no licensing agency in policy test-seconds',
    ]);
  });
});

it('a civil-only funder (Horizon Europe) refuses a military-list component, naming it and the rule; others accept it', () => {
  const body = submission();
  body.funderId = 'horizon-eu';
  expect(issues(body)).toEqual([
    'components.3.controlCodes.0: European Commission, Horizon Europe funds civil activities only: component "c3" is on the military list (ML22)',
  ]);
  body.components = body.components.slice(0, 3); // no ML item: accepted
  expect(issues(body)).toEqual([]);
  expect(issues(submission())).toEqual([]); // the fixture's funder (UKRI) is not civil-only
});
