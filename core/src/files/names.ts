/** File names and types as clients send them, made safe to store and to send back. */

export const MAX_NAME_LENGTH = 255;
export const DEFAULT_NAME = 'file';
export const DEFAULT_TYPE = 'application/octet-stream';

/**
 * A file name reduced to its last path segment, without control or bidirectional
 * formatting characters (the "invoice‮fdp.exe" trick), without characters Windows
 * refuses, not starting with dots or ending in dots or spaces, at most 255 characters
 * (the extension kept), NFC-normalised. Empty results become "file".
 */
export function safeFileName(raw: string): string {
  let name = raw.normalize('NFC');
  name = name.slice(Math.max(name.lastIndexOf('/'), name.lastIndexOf('\\')) + 1);
  name = name.replace(/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/gu, '');
  name = name.replace(/[<>:"|?*]/g, '_');
  name = name.replace(/^[\s.]+/u, '').replace(/[\s.]+$/u, '');
  const chars = [...name];
  if (chars.length > MAX_NAME_LENGTH) {
    const dot = name.lastIndexOf('.');
    const ext = dot > 0 ? [...name.slice(dot)] : [];
    name = ext.length > 0 && ext.length <= 16 ? chars.slice(0, MAX_NAME_LENGTH - ext.length).join('') + ext.join('') : chars.slice(0, MAX_NAME_LENGTH).join('');
  }
  return name || DEFAULT_NAME;
}

const TOKEN = "[a-z0-9][a-z0-9!#$&^_.+-]{0,126}";
const MIME = new RegExp(`^${TOKEN}/${TOKEN}$`);

/** A media type without parameters, lower-cased; anything malformed is application/octet-stream. */
export function safeMimeType(raw: string | undefined | null): string {
  const type = (raw ?? '').split(';')[0].trim().toLowerCase();
  return MIME.test(type) ? type : DEFAULT_TYPE;
}

/** Types a browser would render or run: always downloaded as opaque bytes. */
const ACTIVE = /^(text\/html|application\/xhtml\+xml|image\/svg\+xml|text\/xml|application\/xml|[a-z]+\/[a-z.+-]*javascript|text\/ecmascript|application\/ecmascript|text\/xsl|application\/xslt\+xml|multipart\/.*|message\/.*|text\/vtt|application\/x-shockwave-flash|application\/(?:[a-z.-]+\+)?xml)$/;

/** The Content-Type of a download: the stored type unless it is one a browser would render or run. */
export function downloadType(stored: string): string {
  return ACTIVE.test(stored) ? DEFAULT_TYPE : stored;
}
