/**
 * A how-to question ("how do I install executor on windows?") asks for instructions; it reports
 * no failure, so the description fallback must not answer it with a symptom. A question that
 * describes a failure ("how do I fix port 4788 in use", "why does the daemon not start") is a
 * report and is answered. Both lists are data.
 */

/** The openings of a request for instructions. */
const HOW_TO =
  /^(?:please\s+)?(?:how\s+(?:do|can|could|should|would|to|does\s+one)|what(?:'s|\s+is)\s+the\s+(?:best\s+|right\s+|recommended\s+)?way\s+to|is\s+(?:it|there)\s+(?:possible|a\s+way)|can\s+(?:i|we|you)|where\s+(?:do|can|should)\s+(?:i|we)|which\s+\w+\s+(?:do|should)\s+(?:i|we))\b/i

/** Words that make a question a report of something going wrong. */
const FAILURE_WORDS =
  /\b(?:fix|fail\w*|error\w*|broken|break\w*|not|no|never|cannot|can't|cant|won't|wont|doesn't|doesnt|didn't|isn't|refus\w*|stuck|hang\w*|hung|crash\w*|wrong|stale|old|missing|lost|denied|unreachable|timeout|timed\s+out|in\s+use|taken|conflict\w*|issue\w*|problem\w*|keeps?|still|again|instead|stopped|dies|died|blank|empty|invalid|expired|401|403|404|500)\b/i

export function isHowToQuestion(text: string): boolean {
  const trimmed = text.trim()
  // One or two lines a person typed; a paste of output is not a question.
  if (trimmed.split('\n').length > 2 || trimmed.length > 300) return false
  return HOW_TO.test(trimmed) && !FAILURE_WORDS.test(trimmed)
}
