// The taxonomy items are classified by. Countries are the four member states by lower-case ISO 3166-1 alpha-2 code;
// topics are slugs. Names and keywords come in English and Spanish (with and without accents) because the bloc's
// news arrives in both.
import type { Language } from '../shared/language.js';

export interface Country {
  code: CountryCode;
  name: string;
  nameEs: string;
  /** Words that name the country or its people in either language, matched as whole words, accent-insensitive. */
  keywords: readonly string[];
}

export interface Topic {
  slug: TopicSlug;
  name: string;
  nameEs: string;
  keywords: readonly string[];
}

export const countryCodes = ['cl', 'co', 'mx', 'pe'] as const;
export type CountryCode = (typeof countryCodes)[number];

export const topicSlugs = [
  'climate-environment',
  'education-skills',
  'trade-investment',
  'smes-entrepreneurship',
  'gender-inclusion',
  'fisheries-oceans',
  'scholarships-mobility',
  'digital-transformation',
  'international-cooperation',
  'tourism-culture',
] as const;
export type TopicSlug = (typeof topicSlugs)[number];

export const countries: readonly Country[] = [
  { code: 'cl', name: 'Chile', nameEs: 'Chile', keywords: ['chile', 'chilean', 'chileno', 'chilena', 'chilenos', 'chilenas', 'santiago de chile', 'valparaiso', 'prochile'] },
  { code: 'co', name: 'Colombia', nameEs: 'Colombia', keywords: ['colombia', 'colombian', 'colombiano', 'colombiana', 'colombianos', 'colombianas', 'bogota', 'medellin', 'cali', 'procolombia'] },
  { code: 'mx', name: 'Mexico', nameEs: 'México', keywords: ['mexico', 'mexican', 'mexicano', 'mexicana', 'mexicanos', 'mexicanas', 'cdmx', 'monterrey', 'guadalajara', 'promexico'] },
  { code: 'pe', name: 'Peru', nameEs: 'Perú', keywords: ['peru', 'peruvian', 'peruano', 'peruana', 'peruanos', 'peruanas', 'lima', 'arequipa', 'cusco', 'promperu'] },
];

export const topics: readonly Topic[] = [
  { slug: 'climate-environment', name: 'Climate and environment', nameEs: 'Clima y medio ambiente',
    keywords: ['climate', 'environment', 'environmental', 'emissions', 'greenhouse', 'paris agreement', 'climate change', 'greenhouse gas', 'biodiversity', 'renewable energy', 'mitigation', 'carbon', 'plastic', 'plastics', 'sustainable', 'sustainability', 'clima', 'climatico', 'ambiente', 'ambiental', 'emisiones', 'carbono', 'plasticos', 'sostenible', 'sostenibilidad', 'cambio climatico', 'biodiversidad', 'energias renovables'] },
  { slug: 'education-skills', name: 'Education and skills', nameEs: 'Educación y competencias',
    keywords: ['education', 'educational', 'teacher', 'teachers', 'training', 'skills', 'vocational', 'competencies', 'teaching', 'school', 'schools', 'tvet', 'educacion', 'docentes', 'profesores', 'formacion', 'capacitacion', 'competencias', 'ensenanza', 'escuelas'] },
  { slug: 'trade-investment', name: 'Trade and investment promotion', nameEs: 'Comercio y promoción de inversiones',
    keywords: ['trade', 'export', 'exports', 'exporters', 'investment', 'investors', 'business', 'market', 'markets', 'customs', 'comercio', 'exportaciones', 'exportadores', 'inversion', 'inversiones', 'inversionistas', 'negocios', 'aduanas'] },
  { slug: 'smes-entrepreneurship', name: 'SMEs and entrepreneurship', nameEs: 'Pymes y emprendimiento',
    keywords: ['sme', 'smes', 'msme', 'msmes', 'small and medium enterprises', 'small and medium-sized enterprises', 'entrepreneur', 'entrepreneurs', 'entrepreneurship', 'startup', 'startups', 'pyme', 'pymes', 'mipyme', 'mipymes', 'pequenas y medianas empresas', 'emprendimiento', 'emprendedores', 'emprendedoras'] },
  { slug: 'gender-inclusion', name: 'Gender and inclusion', nameEs: 'Género e inclusión',
    keywords: ['gender', 'women', 'woman', 'inclusion', 'equality', 'disability', 'disabilities', 'indigenous', 'genero', 'mujeres', 'mujer', 'igualdad', 'discapacidad', 'indigenas'] },
  { slug: 'fisheries-oceans', name: 'Fisheries and oceans', nameEs: 'Pesca y océanos',
    keywords: ['fisheries', 'fishing', 'aquaculture', 'ocean', 'oceans', 'marine', 'fishery', 'fishermen', 'fishers', 'seafood', 'pesca', 'pesquero', 'pesquera', 'pesqueria', 'pescadores', 'acuicultura', 'oceano', 'oceanos', 'marino'] },
  { slug: 'scholarships-mobility', name: 'Scholarships and mobility', nameEs: 'Becas y movilidad',
    keywords: ['scholarship', 'scholarships', 'student mobility', 'academic mobility', 'student exchange', 'academic exchange', 'fellowship', 'fellowships', 'volunteers', 'volunteering', 'beca', 'becas', 'movilidad estudiantil', 'movilidad academica', 'intercambio estudiantil', 'intercambio academico', 'voluntariado'] },
  { slug: 'digital-transformation', name: 'Digital transformation', nameEs: 'Transformación digital',
    keywords: ['digital', 'digitalization', 'digitisation', 'digitization', 'technology', 'technologies', 'e-commerce', 'cybersecurity', 'digitalizacion', 'tecnologia', 'tecnologias', 'comercio electronico', 'ciberseguridad'] },
  { slug: 'international-cooperation', name: 'International cooperation', nameEs: 'Cooperación internacional',
    keywords: ['cooperation', 'observer', 'observers', 'observer states', 'sponsorship', 'agreement', 'memorandum', 'ministers', 'summit', 'cooperacion', 'observadores', 'acuerdo', 'memorando', 'cumbre', 'cancilleres'] },
  { slug: 'tourism-culture', name: 'Tourism and culture', nameEs: 'Turismo y cultura',
    keywords: ['tourism', 'tourist', 'tourists', 'culture', 'cultural', 'gastronomy', 'turismo', 'turistas', 'cultura', 'gastronomia'] },
];

export const isCountryCode = (value: string): value is CountryCode => (countryCodes as readonly string[]).includes(value);
export const isTopicSlug = (value: string): value is TopicSlug => (topicSlugs as readonly string[]).includes(value);
export const countryByCode = (code: CountryCode): Country => countries.find((c) => c.code === code)!;
export const topicBySlug = (slug: TopicSlug): Topic => topics.find((t) => t.slug === slug)!;

/** Public shape of GET /api/taxonomy (a contract). */
export function taxonomyView(language: Language = 'en') {
  return {
    countries: countries.map((c) => ({ code: c.code, name: language === 'es' ? c.nameEs : c.name })),
    topics: topics.map((t) => ({ slug: t.slug, name: language === 'es' ? t.nameEs : t.name })),
  };
}
