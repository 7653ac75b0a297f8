import type { City, District } from './places';
import { STREETS } from './places';
import type { Random } from './random';

const MOBILE_PREFIXES = [
  '130', '131', '132', '133', '134', '135', '136', '137', '138', '139',
  '150', '151', '152', '153', '155', '156', '157', '158', '159',
  '180', '181', '182', '183', '184', '185', '186', '187', '188', '189',
] as const;

export function mobileNumber(random: Random): string {
  return random.pick(MOBILE_PREFIXES) + random.digits(8);
}

/** A landline with its area code: 021-6xxxxxxx. */
export function landline(random: Random, city: City): string {
  return `${city.areaCode}-${random.int(2, 8)}${random.digits(7)}`;
}

export function wechatId(random: Random): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  let id = 'wxid_';
  for (let i = 0; i < 10; i++) id += alphabet[random.int(0, alphabet.length - 1)];
  return id;
}

export function homeAddress(random: Random, city: City, district: District): string {
  return `${city.addressPrefix}${district.name}${random.pick(STREETS)}${random.int(1, 999)}号${random.int(1, 20)}栋${random.int(1, 28)}0${random.int(1, 6)}室`;
}

export function officeAddress(random: Random, city: City, district: District): string {
  return `${city.addressPrefix}${district.name}${random.pick(STREETS)}${random.int(1, 800)}号${random.int(2, 35)}楼`;
}

export function postalCode(random: Random, city: City): string {
  return city.postalPrefix + random.digits(2);
}
