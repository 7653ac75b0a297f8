/** Check digits of Chinese identity numbers, so demo values pass real validators. */

const ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const ID_CHECK = '10X98765432';

/**
 * An 18-digit resident ID number (GB 11643-1999): area code, birth date, a sequence
 * number whose last digit is odd for men and even for women, then the check digit.
 */
export function residentIdNumber(areaCode: string, birthDate: string, sequence: number, male: boolean): string {
  const seq = (sequence % 500) * 2 + (male ? 1 : 0);
  const body = `${areaCode}${birthDate.replace(/-/g, '')}${String(seq).padStart(3, '0')}`;
  const sum = [...body].reduce((acc, ch, i) => acc + Number(ch) * ID_WEIGHTS[i], 0);
  return body + ID_CHECK[sum % 11];
}

const USCC_CHARSET = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const USCC_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];
const ORG_CODE_WEIGHTS = [3, 7, 9, 10, 5, 8, 4, 2];

/** The 9-character organisation code (GB 11714-1997) from 8 digits. */
function organisationCode(eightDigits: string): string {
  const sum = [...eightDigits].reduce((acc, ch, i) => acc + Number(ch) * ORG_CODE_WEIGHTS[i], 0);
  const check = 11 - (sum % 11);
  return eightDigits + (check === 10 ? 'X' : check === 11 ? '0' : String(check));
}

/**
 * An 18-character unified social credit code (GB 32100-2015) of a company registered
 * with market regulation ("91"), in the given area, with its check character.
 */
export function unifiedSocialCreditCode(areaCode: string, eightDigits: string): string {
  const body = `91${areaCode}${organisationCode(eightDigits)}`;
  const sum = [...body].reduce((acc, ch, i) => acc + USCC_CHARSET.indexOf(ch) * USCC_WEIGHTS[i], 0);
  return body + USCC_CHARSET[(31 - (sum % 31)) % 31];
}
