import {
  DataSet,
  englishDataset,
  englishRecommendedTransformers,
  parseRawPattern,
  RegExpMatcher,
  resolveConfusablesTransformer,
  resolveLeetSpeakTransformer,
  toAsciiLowerCaseTransformer,
  type MatchPayload,
} from 'obscenity';
import { ConfigError, type ModerationConfig } from '../config.js';

export interface PromptFilter {
  /** The blocked term the prompt matched first, or null when it is clean. */
  match(prompt: string): string | null;
}

interface Matcher {
  matcher: RegExpMatcher;
  term(match: MatchPayload): string;
}

/** An operator's term as an obscenity pattern (`|` marks a word boundary, `?` any character, `[x]` optional). */
function parseTerm(term: string) {
  try {
    return parseRawPattern(term);
  } catch (err) {
    throw new ConfigError(`ATELIER_MODERATION_BLOCK_TERMS: '${term}' is not a valid pattern (${(err as Error).message})`);
  }
}

/**
 * Prompt checks with obscenity: its English dataset under its recommended transformers
 * (confusables, leetspeak, case, repeated letters), plus the operator's own terms.
 * The dataset's patterns are written for letters already collapsed (`a_ss_`), so the
 * operator's terms get a matcher of their own without that transformer: `pineapple`
 * then matches as typed. Allowed terms are whitelisted in both.
 */
export function createPromptFilter(config: Pick<ModerationConfig, 'blockTerms' | 'allowTerms'>): PromptFilter {
  const english = englishDataset.build();
  const matchers: Matcher[] = [
    {
      matcher: new RegExpMatcher({
        ...english,
        whitelistedTerms: [...(english.whitelistedTerms ?? []), ...config.allowTerms],
        ...englishRecommendedTransformers,
      }),
      term: (match) => englishDataset.getPayloadWithPhraseMetadata(match).phraseMetadata?.originalWord ?? '',
    },
  ];
  if (config.blockTerms.length > 0) {
    const own = new DataSet<{ term: string }>();
    for (const term of config.blockTerms) own.addPhrase((phrase) => phrase.setMetadata({ term }).addPattern(parseTerm(term)));
    matchers.push({
      matcher: new RegExpMatcher({
        ...own.build(),
        whitelistedTerms: config.allowTerms,
        blacklistMatcherTransformers: [resolveConfusablesTransformer(), resolveLeetSpeakTransformer(), toAsciiLowerCaseTransformer()],
        whitelistMatcherTransformers: englishRecommendedTransformers.whitelistMatcherTransformers,
      }),
      term: (match) => own.getPayloadWithPhraseMetadata(match).phraseMetadata?.term ?? '',
    });
  }
  return {
    match(prompt) {
      for (const { matcher, term } of matchers) {
        if (!matcher.hasMatch(prompt)) continue;
        const [first] = matcher.getAllMatches(prompt, true);
        if (first) return term(first);
      }
      return null;
    },
  };
}
