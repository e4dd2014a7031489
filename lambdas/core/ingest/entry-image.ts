// The one image an entry is shown with (pages, emails), chosen as feed readers do: the entry's Media RSS images
// (media:content, then media:thumbnail), then an enclosure of an image type, then the first image of its content.
import { decodeHTML } from 'entities';
import type { ItemImage } from '../items/model.js';

export interface ImageCandidate {
  url?: string;
  /** MIME type, when the feed gives one. */
  type?: string;
  /** Media RSS `medium` ("image", "video", …). */
  medium?: string;
  width?: number;
  height?: number;
  alt?: string;
}

type Media = {
  contents?: Array<MediaContent>;
  groups?: Array<{ contents?: Array<MediaContent>; thumbnails?: MediaThumbnail[]; description?: { value?: string } }>;
  thumbnails?: MediaThumbnail[];
  description?: { value?: string };
};
type MediaContent = { url?: string; type?: string; medium?: string; width?: number; height?: number; description?: { value?: string }; thumbnails?: MediaThumbnail[] };
type MediaThumbnail = { url?: string; width?: number; height?: number };

const IMAGE_EXT = /\.(?:jpe?g|png|gif|webp|avif|svg)(?:[?#]|$)/i;

/** Whether a candidate is an image: its medium or type says so, or (saying neither) its URL looks like one. */
function isImage(c: ImageCandidate): boolean {
  if (c.medium) return c.medium.toLowerCase() === 'image';
  if (c.type) return /^image\//i.test(c.type.trim());
  return !!c.url && IMAGE_EXT.test(c.url);
}

const dimension = (n: number | string | undefined): number | undefined => {
  const v = typeof n === 'string' ? Number(n) : n;
  return typeof v === 'number' && Number.isInteger(v) && v > 0 && v < 100_000 ? v : undefined;
};

const plain = (s: string | undefined) => s?.replace(/<[^>]*>/g, '').replace(/\s+/g, ' ').trim() || undefined;

/** The candidates a Media RSS block offers, in reading order: contents (loose, then grouped), then thumbnails. */
export function mediaCandidates(media: Media | undefined): ImageCandidate[] {
  if (!media) return [];
  const contents = [...(media.contents ?? []), ...(media.groups ?? []).flatMap((g) => g.contents ?? [])];
  const fromContents = contents.map((c) => ({
    url: c.url, type: c.type, medium: c.medium, width: c.width, height: c.height,
    alt: plain(c.description?.value ?? media.description?.value),
  }));
  const thumbnails = [
    ...(media.thumbnails ?? []),
    ...(media.groups ?? []).flatMap((g) => g.thumbnails ?? []),
    ...contents.flatMap((c) => c.thumbnails ?? []),
  ].map((t) => ({ url: t.url, medium: 'image', width: t.width, height: t.height }));
  return [...fromContents, ...thumbnails];
}

const IMG_RE = /<img\b((?:"[^"]*"|'[^']*'|[^>"'])*)>/gi;
const attr = (attrs: string, name: string) => {
  const m = new RegExp(`\\s${name}\\s*=\\s*(?:"([^"]*)"|'([^']*)'|([^\\s"'=<>\`]+))`, 'i').exec(` ${attrs}`);
  const v = m ? (m[1] ?? m[2] ?? m[3]) : undefined;
  return v === undefined ? undefined : decodeHTML(v).trim();
};

/** The first image of an HTML fragment that is not a 1×1 tracking pixel. */
export function contentImage(html: string | undefined): ImageCandidate | undefined {
  if (!html || !/<img\b/i.test(html)) return undefined;
  for (const m of html.matchAll(IMG_RE)) {
    const attrs = m[1] ?? '';
    const url = attr(attrs, 'src');
    const width = dimension(attr(attrs, 'width'));
    const height = dimension(attr(attrs, 'height'));
    if (!url || width === 1 || height === 1) continue;
    return { url, medium: 'image', width, height, alt: attr(attrs, 'alt') || undefined };
  }
  return undefined;
}

/** The first candidate that is an image with an http(s) URL (`resolve` makes it absolute, or undefined). */
export function pickImage(candidates: ReadonlyArray<ImageCandidate | undefined>, resolve: (url: string) => string | undefined): ItemImage | undefined {
  for (const c of candidates) {
    if (!c?.url || !isImage(c)) continue;
    const url = resolve(c.url);
    if (!url) continue;
    const image: ItemImage = { url };
    const width = dimension(c.width);
    const height = dimension(c.height);
    if (width) image.width = width;
    if (height) image.height = height;
    if (c.alt) image.alt = c.alt.slice(0, 1000);
    return image;
  }
  return undefined;
}
