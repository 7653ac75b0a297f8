/**
 * Demo customers: realistic, deterministic rows for the seed, tests and benchmarks.
 * Row n always gets customer number C{n as 8 digits}, so any count yields unique numbers.
 */
import type { CUSTOMER_TYPES, ID_TYPES, INCOME_BANDS, LEVELS, ORG_SIZES, OptionValue, SOURCES, STATUSES } from './options';
import { homeAddress, landline, mobileNumber, officeAddress, postalCode, wechatId } from './samples/contact-points';
import { birthDateAtAge, daysAgo, isoDate } from './samples/dates';
import { residentIdNumber, unifiedSocialCreditCode } from './samples/identity';
import {
  BUSINESS_WORDS,
  OCCUPATIONS,
  ORGANISATION_TAGS,
  PERSON_TAGS,
  REMARKS,
  WITHOUT_EMPLOYER,
  companyName,
  personName,
  type CompanyIndustry,
} from './samples/people';
import { CITY_WEIGHTS, type City, type District } from './samples/places';
import { Random } from './samples/random';

/** A create body for the `customer` entity. */
export type CustomerInput = Record<string, unknown>;

type Status = OptionValue<typeof STATUSES>;
type IncomeBand = OptionValue<typeof INCOME_BANDS>;
type OrgSize = OptionValue<typeof ORG_SIZES>;

export const ORGANISATION_SHARE = 0.15;

/** `count` demo customers numbered from `firstNumber`; the same arguments always give the same rows. */
export function demoCustomers(count: number, seed = 1, firstNumber = 1): CustomerInput[] {
  const random = new Random(seed);
  const rows: CustomerInput[] = [];
  for (let n = firstNumber; n < firstNumber + count; n++) rows.push(demoCustomer(random, n));
  return rows;
}

function demoCustomer(random: Random, n: number): CustomerInput {
  const customerNo = `C${String(n).padStart(8, '0')}`;
  const city = random.weighted(CITY_WEIGHTS);
  const district = random.pick(city.districts);
  const status = random.weighted<Status>([['active', 55], ['prospect', 25], ['lapsed', 12], ['lost', 8]]);
  const isOrganisation = random.chance(ORGANISATION_SHARE);
  return {
    customerNo,
    ...(isOrganisation ? organisation(random, city, district, status) : person(random, city, district, status)),
    province: city.province,
    city: city.name,
    district: district.name,
    postalCode: postalCode(random, city),
    region: city.region,
    email: `${customerNo.toLowerCase()}@example.cn`,
    source: random.weighted<OptionValue<typeof SOURCES>>(
      isOrganisation
        ? [['agent', 50], ['referral', 25], ['campaign', 15], ['bancassurance', 10]]
        : [['agent', 35], ['bancassurance', 15], ['telesales', 12], ['online', 12], ['referral', 14], ['campaign', 7], ['walkIn', 5]],
    ),
    status,
    tags: random.some(isOrganisation ? ORGANISATION_TAGS : PERSON_TAGS, 3),
    ...consents(random),
    lastContactAt: random.chance(0.85) ? officeHoursInstant(random, random.int(0, 180)) : null,
  };
}

function person(random: Random, city: City, district: District, status: Status): CustomerInput {
  const male = random.chance(0.5);
  const age = random.weighted([[random.int(18, 29), 3], [random.int(30, 44), 5], [random.int(45, 59), 4], [random.int(60, 75), 2]]);
  const birthDate = birthDateAtAge(age, random.int(0, 364));
  const [occupation, occupationClass] = age >= 60 ? (['退休人员', 1] as const) : random.weighted(OCCUPATIONS.map(([name, cls, w]) => [[name, cls] as const, w] as const));
  const married = age >= 25 && random.chance(0.75);
  const income = random.weighted<IncomeBand>([['lt100k', 35], ['100k-300k', 40], ['300k-1m', 18], ['gt1m', 7]]);
  return {
    name: personName(random, male),
    kind: 'person',
    gender: random.chance(0.01) ? 'unknown' : male ? 'male' : 'female',
    birthDate,
    ...personIdentity(random, district.code, birthDate, male),
    maritalStatus: married ? random.weighted([['married', 85], ['divorced', 10], ['widowed', age >= 60 ? 8 : 1]]) : 'single',
    education: random.weighted([['juniorHighOrBelow', 10], ['highSchool', 20], ['associate', 22], ['bachelor', 35], ['master', 11], ['doctorate', 2]]),
    occupation,
    occupationClass,
    employer: WITHOUT_EMPLOYER.has(occupation) ? null : companyName(random, city.name, random.pick(COMPANY_INDUSTRIES)),
    annualIncomeBand: income,
    customerType: married && random.chance(0.5) ? 'family' : 'individual',
    mobile: mobileNumber(random),
    phone: random.chance(0.3) ? landline(random, city) : null,
    wechatId: random.chance(0.65) ? wechatId(random) : null,
    address: homeAddress(random, city, district),
    remarks: random.chance(0.25) ? random.pick(REMARKS) : null,
    ...personValue(random, status, income),
  };
}

/** Most people are mainland residents with an ID card; a few hold other documents. */
function personIdentity(random: Random, areaCode: string, birthDate: string, male: boolean): CustomerInput {
  const idType = random.weighted<OptionValue<typeof ID_TYPES>>([['idCard', 94], ['officerCard', 2], ['hkMacauPermit', 2], ['taiwanPermit', 1], ['passport', 1]]);
  switch (idType) {
    case 'idCard':
      return { idType, idNumber: residentIdNumber(areaCode, birthDate, random.int(0, 499), male), nationality: '中国' };
    case 'officerCard':
      return { idType, idNumber: `军字第${random.digits(7)}号`, nationality: '中国' };
    case 'hkMacauPermit':
      return { idType, idNumber: `H${random.digits(8)}`, nationality: '中国香港' };
    case 'taiwanPermit':
      return { idType, idNumber: random.digits(8), nationality: '中国台湾' };
    default:
      return { idType: 'passport', idNumber: `${random.pick(['E', 'K', 'P'])}${random.digits(8)}`, nationality: random.pick(['新加坡', '美国', '加拿大', '澳大利亚']) };
  }
}

const COMPANY_INDUSTRIES = Object.keys(BUSINESS_WORDS) as CompanyIndustry[];

function organisation(random: Random, city: City, district: District, status: Status): CustomerInput {
  const industry = random.pick(COMPANY_INDUSTRIES);
  const orgSize = random.weighted<OrgSize>([['micro', 25], ['small', 40], ['medium', 25], ['large', 10]]);
  const customerType: OptionValue<typeof CUSTOMER_TYPES> = orgSize === 'micro' || orgSize === 'small' ? 'smallBusiness' : 'corporate';
  return {
    name: companyName(random, city.name, industry),
    kind: 'organisation',
    idType: 'creditCode',
    idNumber: unifiedSocialCreditCode(district.code, random.digits(8)),
    nationality: '中国',
    industry,
    orgSize,
    legalRepresentative: personName(random, random.chance(0.7)),
    customerType,
    phone: landline(random, city),
    mobile: random.chance(0.5) ? mobileNumber(random) : null,
    address: officeAddress(random, city, district),
    ...organisationValue(random, status, orgSize),
  };
}

/** Yearly premium range in yuan, by income; the potential value is drawn from the same range ×10. */
const PREMIUM_BY_INCOME: Record<IncomeBand, readonly [number, number]> = {
  lt100k: [200, 2_000],
  '100k-300k': [1_000, 6_000],
  '300k-1m': [5_000, 30_000],
  gt1m: [20_000, 200_000],
};

function personValue(random: Random, status: Status, income: IncomeBand): CustomerInput {
  const [low, high] = PREMIUM_BY_INCOME[income];
  const years = status === 'prospect' ? 0 : random.int(1, 15);
  const paid = years * random.int(low, high);
  return valueFields(random, status, years, paid, random.int(low, high) * 10, random.int(1, 4));
}

/** Typical yearly group premium in yuan, by organisation size. */
const PREMIUM_BY_SIZE: Record<OrgSize, number> = { micro: 20_000, small: 80_000, medium: 400_000, large: 1_500_000 };

function organisationValue(random: Random, status: Status, size: OrgSize): CustomerInput {
  const yearly = PREMIUM_BY_SIZE[size];
  const years = status === 'prospect' ? 0 : random.int(1, 10);
  const paid = years * yearly * (0.5 + random.next());
  return valueFields(random, status, years, paid, yearly * (0.5 + 2 * random.next()), random.int(1, 6));
}

function valueFields(random: Random, status: Status, years: number, paid: number, potential: number, policies: number): CustomerInput {
  const establishedValue = money(paid);
  const potentialValue = money(potential);
  const valueScore = clamp(Math.round(25 * Math.log10(1 + (establishedValue + potentialValue) / 2_000)) + random.int(-5, 5), 0, 100);
  return {
    establishedValue,
    potentialValue,
    valueScore,
    level: levelOf(valueScore),
    policiesInForce: status === 'active' ? policies : 0,
    firstPolicyDate: years > 0 ? isoDate(daysAgo(years * 365 - random.int(0, 364))) : null,
  };
}

function levelOf(score: number): OptionValue<typeof LEVELS> {
  return score >= 80 ? 'vip' : score >= 60 ? 'a' : score >= 35 ? 'b' : 'c';
}

/** An instant between 09:00 and 19:00 Beijing time (UTC+8), `days` before the demo day. */
function officeHoursInstant(random: Random, days: number): string {
  return new Date(daysAgo(days) + random.int(1 * 3600, 11 * 3600) * 1000).toISOString();
}

const clamp = (value: number, min: number, max: number): number => Math.max(min, Math.min(max, value));

/** Yuan with at most two decimals, as the money columns store them. */
const money = (yuan: number): number => Math.round(yuan * 100) / 100;

/** Marketing consent; a few customers asked not to be contacted at all. */
function consents(random: Random): CustomerInput {
  if (random.chance(0.04)) return { doNotContact: true, consentPhone: false, consentSms: false, consentEmail: false };
  return { doNotContact: false, consentPhone: random.chance(0.6), consentSms: random.chance(0.7), consentEmail: random.chance(0.4) };
}
