// The sample news the local runtime starts with: the Pacific Alliance digest as it reached us.
import { resolve } from 'node:path';

export const seedDigestPath = resolve(import.meta.dirname, '../../samples/pacific-alliance-digest.txt');
/** The publisher's site: seed items link to it. */
export const seedSourceUrl = 'https://alianzapacifico.net/en/';
