"""Word and marker tables for minutes.py (notes understanding).

Rules: data only, no logic beyond compiling patterns. Every pattern here is linear (no nested
quantifiers) so hostile input stays cheap.
"""

from __future__ import annotations

import re

# --- section headings / label lines -------------------------------------------------------------

# heading text (lower-cased, punctuation stripped) -> what the section holds
SECTION_WORDS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"^(?:review of (?:the )?(?:last|previous)|previous (?:meeting|minutes|action)|"
                r"last (?:meeting|week)|action items? (?:review|from)|review of action|"
                r"old action|status of action|past action)"), "skip"),
    (re.compile(r"^(?:attend(?:ees|ance|ing)|present|participants|regrets|absent|links|"
                r"recording|goals|meeting roles|roles|transcript|attendees and roles|regular reviews?|"
                r"dates and reminders|reminders|housekeeping|"
                r"(?:regular|standing) (?:items|agenda)|regular)$"), "skip"),
    (re.compile(r"^(?:done|completed|accomplished|blocked|blockers|updates?|status(?:es)?|"
                r"progress|last week|yesterday|availability\b.*)$"), "status"),
    (re.compile(r"^(?:next meeting|next call|next sync|next session|next steps? meeting|"
                r"upcoming meeting|following meeting)\b"), "next"),
    (re.compile(r"^scheduled meetings?\b"), "scheduled"),
    (re.compile(r"^(?:(?:new )?action items?|actions?|ais?|todos?|to dos?|to-dos?|follow[ -]?ups?|"
                r"next steps?|assignments?|takeaways?|(?:new )?action points?)\b|"
                r"^(?:next|next week|plans?|plan for next week|up next|tasks?|owners)$"), "action"),
    (re.compile(r"^(?:plan|plan of record|the plan|agreed plan|proposed plan)\b(?! for next)"), "plan"),
    (re.compile(r"^(?:overall |key |main |final |summary of |major )?(?:decisions?|decided|agreed|agreements?|resolutions?|resolved|consensus|"
                r"conclusions?|outcomes?|meeting consensus|summary of decisions|"
                r"decisions? (?:made|taken)|key decisions)\b"), "agree"),
    (re.compile(r"^(?:open questions?|questions?|open issues|parking lot|unresolved)\b"), "questions"),
    (re.compile(r"^(?:agenda|agenda items?|proposed agenda|agenda for next meeting)$"), "agenda"),
)

# inline "Label: content" markers at the start of a line
MARKER = re.compile(
    r"^(?P<label>resolution|resolutions|resolved|decision|decisions|decided|agreed|agreement|"
    r"consensus|meeting consensus|conclusion|outcome|action items?|actions?|action points?|ai|"
    r"todo|to do|to-do|next steps?|next|follow[ -]?ups?|next meeting|next call|next sync)"
    r"\s*(?:\((?P<who>[^)]{0,40})\))?\s*:\s*(?P<rest>.*)$",
    re.I,
)
# every MARKER label starts with one of these (in the case-folded text)
MARKER_STARTS = ("resol", "decision", "decided", "agree", "consensus", "meeting consensus", "conclusion",
                 "outcome", "action", "ai", "todo", "to do", "to-do", "next", "follow")
AGREE_LABELS = frozenset({"resolution", "resolutions", "resolved", "decision", "decisions",
                          "decided", "agreed", "agreement", "consensus", "meeting consensus",
                          "conclusion", "outcome"})
ACTION_LABELS = frozenset({"action item", "action items", "action", "actions", "action point",
                           "action points", "ai", "todo", "to do", "to-do", "next step",
                           "next steps", "follow up", "follow-up", "followup", "follow ups",
                           "follow-ups", "followups"})
NEXT_LABELS = frozenset({"next meeting", "next call", "next sync"})

# --- people -------------------------------------------------------------------------------------

GROUP_OWNERS = frozenset({
    "all", "everyone", "everybody", "team", "the team", "we", "us", "folks", "people",
    "anyone", "anybody", "somebody", "someone", "all members", "members", "attendees",
    "tsc", "tsc members", "ctc", "ctc members", "group", "the group", "each", "y'all", "you",
    "liaisons", "maintainers", "reviewers", "owners", "nobody", "none", "tbd", "n/a", "unassigned",
})

# capitalised words that start sentences but are not people
NOT_NAMES = frozenset("""
a an the this that these those it its there here they them their we our us you your he she his
her i me my who what which when where why how if then so but and or also both each every all
any some many most none no not yes nothing something someone somebody everyone everybody anyone
meeting meetings call team group issue issues pr prs rfc rfcs discussion question questions topic
topic: decision resolution action agenda notes note minutes summary update updates status next
last new old first second third final today tomorrow tonight yesterday monday tuesday wednesday
thursday friday saturday sunday january february march april may june july august september
october november december please thanks thank ok okay sure maybe perhaps probably possibly
consensus agreed approved accepted done blocked todo proposal proposed plan plans work release
releases version docs doc documentation website blog board committee council foundation project
projects repo repository ci build tests test code spec specs api apis will would should could
can must shall might need needs needed one two three four five someone nobody anybody folks
people members member chair moderator scribe host staff better best good great nice important
time easier hard happy goal idea ready able free how way great tsc ctc wg question
background context aim aims try tries want wants hope hopes intend intends expect expects
going continue continues start starts decide decides remember remind reminder packages package
folks team's everyone's let lets let's we'll we're
we've i'll i'm i've you'll he'll she'll they'll it'll that'll there's it's that's what's
""".split())

# --- verbs / grammar ----------------------------------------------------------------------------

# "X <commit> <task>": commitment phrases between an owner and a task (longest first)
COMMIT = (
    r"(?:(?:will|'ll|’ll) take (?:an |the )?action(?: item)? to|takes? (?:an |the )?action(?: item)? to|"
    r"took (?:an |the )?action(?: item)? to|has volunteered to|have volunteered to|volunteered to|"
    r"volunteers? to|is going to|are going to|am going to|will|shall|'ll|’ll|is to|are to|to|"
    r"agreed to|agrees to|offered to|offers to|promised to|committed to|commits to|"
    r"is assigned to|was assigned to|needs to|need to|has to|have to|must|should)"
)

# words right after "to"/"will" that show it is not a task verb
NOT_TASK_START = frozenset("""
join attend arrive dial there the a an be been being this that these those his her their our its all any each some every
no not it him them me us you which what who whom where when whether if than there here
have has had was were is are am
""".split())

HEDGE = re.compile(
    r"\b(?:maybe|perhaps|possibly|probably|hopefully|hopes? to|hoping to|would be nice|"
    r"would like to|'d like to|’d like to|would love to|might|could|if possible|if (?:they|he|she|we|"
    r"you|i|time|there|needed|necessary|someone|anyone|nobody|no one)|unless|not sure|"
    r"wants? to try|may want|may be able|might be able|try to see|consider(?:ing)? whether|"
    r"in case|when (?:they|he|she|we|i) (?:have|get|find)|if and when|wishlist|someday|"
    r"eventually|tentative(?:ly)?)\b",
    re.I,
)

PAST_STATUS = re.compile(
    r"\b(?:already|has been|have been|had been|was done|were done|is done|completed|finished|"
    r"merged|landed|shipped|released|did|was|were)\b",
    re.I,
)

# agreement phrasing in running text
AGREE_PROSE = re.compile(
    r"(?:^|\b(?:we|all|everyone|everybody|group|team|tsc|ctc|committee|meeting|members|folks|"
    r"generally|unanimously|it was|was|been)\s+)"
    r"(?:agreed|agree|decided|resolved|concluded|approved|accepted|adopted)\b"
    r"(?:\s+(?:that|to|on|upon|with))?\s*[:,]?\s*(?P<what>.*)",
    re.I,
)
AGREE_INNER = re.compile(
    r"(?:,\s*|\b(?:and|we|we've|we have|we all|all|everyone|the (?:team|group|meeting|committee))\s+)"
    r"(?:have\s+|had\s+|then\s+)?(?:agreed|decided|resolved)\s+(?:to|that|on)\s+(?P<what>\S.*)",
    re.I,
)
CONSENSUS_PROSE = re.compile(
    r"\b(?:consensus|general agreement|agreement)\s+(?:is|was|reached|that|to|on|:)\s*(?P<what>.*)",
    re.I,
)
UNANIMOUS = re.compile(
    r"(?:\+1|👍|:\+1:)\s+(?:from\s+)?(?:all|everyone|everybody|the (?:whole )?(?:team|group|tsc|ctc))\b|"
    r"\bno objections?\b(?!\s*\?)|\b(?:all|everyone|everybody) (?:in favou?r|agree[sd]?)\b|"
    r"^[^:]{2,60}:\s*(?:approved|accepted|agreed|adopted|passed|rejected|declined|postponed|deferred|"
    r"tabled|punted|parked)\b|"
    r"\bunanimous(?:ly)?\b|\bno disagreements?\b|(?:^|,\s*)(?:passed|carried|approved)[.!]?$|"
    r"\b(?:remov(?:e|ed|ing)|tak(?:e|en|ing)|took|drop(?:ped|ping)?)\s+(?:it\s+|this\s+|them\s+)?"
    r"(?:off|from)\s+(?:the\s+)?(?:\w+[ _-])?agenda\b|\bmotion (?:passe[sd]|carried)\b|\bvote (?:passe[sd]|carried)\b|"
    r"\b(?:is|was|were|are|been|got|be) (?:approved|accepted|adopted|ratified)\b",
    re.I,
)
DEFER = re.compile(
    r"^(?:(?:we(?:'ll| will)?|to)\s+)?(?:punt(?:ed|ing)?|defer(?:red|ring)?|tabled?|postpone[ds]?|"
    r"revisit(?:ed)?\b|bump(?:ed)?|push(?:ed)? (?:back|out)|move[sd]? to next|deferred|carry over|"
    r"carried over|park(?:ed)?|let (?:it|this|that) sit|re-?assign(?:ed)? to (?:the )?next|continue (?:the )?discussion|keep discussing|discuss(?: it| this)? further)\b",
    re.I,
)
# every DEFER match contains one of these (in the case-folded text): its cheap word gate
DEFER_WORDS = ("punt", "defer", "table", "postpone", "revisit", "bump", "push", "move", "carry over",
               "carried over", "park", "let ", "assign", "continue ", "keep discussing", "further")
SHORT_YES = re.compile(
    r"^(?:yes|yep|yup|agreed|approved|accepted|\+1|lgtm|consensus|resolved|done deal)\b(?!/)[\s,.:;!-]*(?P<rest>.*)$",
    re.I,
)

# agreements that only report a state or another body's decision
NOT_AGREEMENT = re.compile(
    r"^(?:board|the board|legal|tc39|w3c|ietf|they|he|she|with)\b|"
    r"^(?:pending|tbd|tba|none|n/?a|open|unresolved|undecided|unknown|not yet|nothing)\b[.!]*$|^(?:still )?(?:waiting|blocked) (?:on|for)\b|"
    r"\bno (?:consensus|decision|agreement)\b|\bnot (?:yet )?(?:agreed|decided|approved)\b|"
    r"\bdid ?n[o']t (?:agree|decide|reach)\b|\bunable to\b|\bdisagree",
    re.I,
)

# --- time words ---------------------------------------------------------------------------------

MONTHS = {
    "jan": 1, "january": 1, "feb": 2, "february": 2, "mar": 3, "march": 3, "apr": 4, "april": 4,
    "may": 5, "jun": 6, "june": 6, "jul": 7, "july": 7, "aug": 8, "august": 8, "sep": 9,
    "sept": 9, "september": 9, "oct": 10, "october": 10, "nov": 11, "november": 11, "dec": 12,
    "december": 12,
}
WEEKDAYS = {
    "mon": 0, "monday": 0, "tue": 1, "tues": 1, "tuesday": 1, "wed": 2, "wednesday": 2,
    "thu": 3, "thur": 3, "thurs": 3, "thursday": 3, "fri": 4, "friday": 4, "sat": 5,
    "saturday": 5, "sun": 6, "sunday": 6,
}

# spoken zone names and abbreviations -> IANA (named zones follow DST: "PST" in July means Pacific
# time). Cities ("Lisbon time") are resolved by zones.zone_for_place, not listed here.
ZONE_NAMES = {
    "utc": "UTC", "gmt": "UTC", "z": "UTC", "zulu": "UTC",
    "us pacific": "America/Los_Angeles", "pacific": "America/Los_Angeles",
    "pt": "America/Los_Angeles", "pst": "America/Los_Angeles", "pdt": "America/Los_Angeles",
    "us eastern": "America/New_York", "eastern": "America/New_York", "et": "America/New_York",
    "est": "America/New_York", "edt": "America/New_York",
    "us central": "America/Chicago", "central": "America/Chicago", "ct": "America/Chicago",
    "cst": "America/Chicago", "cdt": "America/Chicago",
    "us mountain": "America/Denver", "mountain": "America/Denver", "mt": "America/Denver",
    "mst": "America/Denver", "mdt": "America/Denver",
    "cet": "Europe/Berlin", "cest": "Europe/Berlin", "central european": "Europe/Berlin",
    "bst": "Europe/London", "uk": "Europe/London",
    "wet": "Europe/Lisbon", "west": "Europe/Lisbon", "eet": "Europe/Athens", "eest": "Europe/Athens",
    "ist": "Asia/Kolkata", "jst": "Asia/Tokyo", "kst": "Asia/Seoul",
    "aest": "Australia/Sydney", "aedt": "Australia/Sydney",
    "nzst": "Pacific/Auckland", "nzdt": "Pacific/Auckland",
    "wat": "Africa/Lagos", "eat": "Africa/Nairobi", "sast": "Africa/Johannesburg",
    "sgt": "Asia/Singapore", "hkt": "Asia/Hong_Kong", "brt": "America/Sao_Paulo",
    "msk": "Europe/Moscow", "gst": "Asia/Dubai",
}

# common task verbs: "Name to VERB" with an unknown name needs one of these
TASK_VERBS = frozenset("""
add ask book bring build call cc chase check circulate clean close collect comb come comment
communicate confirm connect contact continue coordinate create dig discuss do document draft
drive email engage escalate estimate explore figure file find finalize finalise finish fix follow
followup forward gather get give go handle implement improve investigate invite join keep land
lead look make map merge migrate move nominate note notify open organize organise own pick ping
plan post prepare present propose publish push put raise reach read rebase record reply report
request research respond review revise revisit rewrite run schedule send set setup share sign start
submit summarise summarize sync take talk test tidy track triage try update upload verify vote
wrap write work generate produce provide deliver arrange handle announce approve assign attend
benchmark brainstorm bump circle clarify compile configure convert deploy design drop edit
enable disable evaluate extend extract fork identify install integrate interview invite label
launch list log mark measure meet mentor message migrate monitor notify outline pair patch port
prep prioritise prioritize profile prototype publish query rebase refactor reconcile reject release
remind rename reopen replace reproduce resolve restart retest retry revert reach scope seek select
solicit sort specify split spin stabilize stabilise standardize summarise sunset support survey
switch tag teach trace transfer translate unblock upgrade validate watch
""".split())

ASSENT = re.compile(
    r"^(?:done|sgtm|agreed|agree|yes|yep|yup|yeah|ok|okay|sure|makes sense|sounds good|\+1|fine|"
    r"works for me|so mote it|so be it|resolved|approved|no objections?|i (?:would |do )?think so|"
    r"i agree|agreed|yes please|let'?s do (?:it|that))\b[\s.!]*$",
    re.I,
)

# lines that state the question or background, not an outcome
CONTEXT_LABEL = re.compile(
    r"^(?:[\w-]+\s+)?(?:summary|question|background|context|agenda item|discussion points?|problem|"
    r"description|proposal|request|link|issue|notes?)\s*:|^no (?:new )?action items?\b",
    re.I,
)

# "Next: week off" is not a task
ABSENCE = re.compile(
    r"^\s*(?:week off|day off|days off|vacation|holiday|holidays|ooo|out of office|pto|away|off)\b", re.I
)

# "I'll point out that ..." is talk, not a task
SPEECH_VERBS = frozenset("""
point say mention note admit add repeat argue agree answer be have let leave just probably
try guess assume suppose bet second echo
""".split())

# an ownerless "ACTION: discuss ..." is a decision about the agenda, not a task
DELIBERATE = re.compile(r"^(?:discuss|wait|keep (?:it )?open|leave (?:it )?open|hold)\b", re.I)
