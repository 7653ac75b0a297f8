/**
 * Demo contacts for demo customers: family members for individuals, office staff for
 * organisations. The same customers and seed always give the same rows.
 */
import type { OptionValue, RELATIONSHIPS, ROLES } from './options';
import { hobbies, mobileNumber, personName } from './samples/names';
import { Random } from './samples/random';

export interface CustomerSummary {
  id: number;
  kind: string;
  name: string;
}

/** A create body for the `contact` entity. */
export type ContactInput = Record<string, unknown>;

/** Fixed so demo data does not depend on the day it is generated. */
const DEMO_YEAR = 2026;

export function demoContacts(customers: readonly CustomerSummary[], seed = 2): ContactInput[] {
  const random = new Random(seed);
  return customers.flatMap((c) => (c.kind === 'organisation' ? organisationContacts(random, c) : familyContacts(random, c)));
}

type Relationship = OptionValue<typeof RELATIONSHIPS>;

/** Relationship, the age range of such a contact, and whether they share the customer's surname. */
const RELATIVES: readonly (readonly [Relationship, readonly [number, number], boolean, number])[] = [
  ['spouse', [25, 70], false, 40],
  ['child', [18, 45], true, 20],
  ['parent', [50, 85], true, 15],
  ['sibling', [20, 70], true, 12],
  ['friend', [25, 65], false, 8],
  ['colleague', [25, 60], false, 5],
];

function familyContacts(random: Random, customer: CustomerSummary): ContactInput[] {
  const count = random.weighted([[1, 35], [2, 45], [3, 20]]);
  return Array.from({ length: count }, (_, i) => {
    const [relationship, [minAge, maxAge], sameSurname] = random.weighted(RELATIVES.map((r) => [r, r[3]] as const));
    const male = random.chance(0.5);
    return {
      customer: customer.id,
      name: sameSurname ? personName(random, male, customer.name.slice(0, 1)) : personName(random, male),
      relationship,
      gender: male ? 'male' : 'female',
      birthday: random.chance(0.6) ? birthday(random, random.int(minAge, maxAge)) : null,
      mobile: mobileNumber(random),
      wechatId: random.chance(0.5) ? `wxid_${random.digits(10)}` : null,
      preferredChannel: random.weighted([['mobile', 50], ['wechat', 40], ['sms', 10]]),
      hobbies: random.chance(0.4) ? hobbies(random) : null,
      isPrimary: i === 0,
      notes: i === 0 ? '紧急联系人' : null,
    };
  });
}

type Role = OptionValue<typeof ROLES>;

/** Role, job title and department of the people an insurer deals with in a company. */
const OFFICE_ROLES: readonly (readonly [Role, string, string])[] = [
  ['decisionMaker', '总经理', '总经办'],
  ['hr', '人力资源经理', '人力资源部'],
  ['finance', '财务经理', '财务部'],
  ['liaison', '行政主管', '行政部'],
];

function organisationContacts(random: Random, customer: CustomerSummary): ContactInput[] {
  const count = random.weighted([[2, 50], [3, 50]]);
  return OFFICE_ROLES.slice(0, count).map(([role, title, departmentName], i) => {
    const male = random.chance(role === 'decisionMaker' ? 0.7 : 0.4);
    return {
      customer: customer.id,
      name: personName(random, male),
      title,
      departmentName,
      role,
      gender: male ? 'male' : 'female',
      birthday: random.chance(0.4) ? birthday(random, random.int(28, 60)) : null,
      mobile: mobileNumber(random),
      email: `ct${String(customer.id).padStart(8, '0')}${i + 1}@example.cn`,
      qq: random.chance(0.3) ? `${random.int(1, 9)}${random.digits(random.int(7, 9))}` : null,
      preferredChannel: random.weighted([['mobile', 40], ['email', 30], ['wechat', 30]]),
      hobbies: random.chance(0.3) ? hobbies(random) : null,
      isPrimary: role === 'decisionMaker',
    };
  });
}

/** A valid `YYYY-MM-DD` for someone about `age` years old. */
function birthday(random: Random, age: number): string {
  const month = random.int(1, 12);
  const day = random.int(1, 28);
  return `${DEMO_YEAR - age}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}
