/**
 * UTF-8 text to and from base64 without Node's `Buffer`, so the admission types stay browser-safe
 * (AdmissionResponse.patch and caBundle fields are base64).
 *
 * @module
 */

const CHUNK = 0x8000;

/**
 * Encodes text as UTF-8, then base64 (standard alphabet, padded).
 *
 * ## Example
 * ```ts
 * base64Encode('[{"op":"remove","path":"/a"}]'); // 'W3sib3AiOiJyZW1vdmUiLCJwYXRoIjoiL2EifV0='
 * ```
 */
export function base64Encode(text: string): string {
  const bytes = new TextEncoder().encode(text);
  let binary = '';
  for (let i = 0; i < bytes.length; i += CHUNK) binary += String.fromCharCode(...bytes.subarray(i, i + CHUNK));
  return btoa(binary);
}

/**
 * Decodes base64 to UTF-8 text. Throws a `TypeError` when the input is not base64 or not UTF-8.
 *
 * ## Example
 * ```ts
 * JSON.parse(base64Decode(response.patch!));
 * ```
 */
export function base64Decode(encoded: string): string {
  let binary: string;
  try {
    binary = atob(encoded);
  } catch {
    throw new TypeError('not base64');
  }
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i += 1) bytes[i] = binary.charCodeAt(i);
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new TypeError('not UTF-8');
  }
}
