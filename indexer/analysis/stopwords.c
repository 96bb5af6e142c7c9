/*
 * stopwords.c - stop words of Persian, Russian and English.
 *
 * A stop word is still indexed (phrases and a query made only of stop words
 * must work); the analyzer flags it with KA_TOK_STOPWORD and the query side
 * drops it when the query has other words, so that «و», «и» and «the» do not
 * drown the ranking. The lists are deliberately short: function words only
 * (prepositions, conjunctions, pronouns, auxiliaries, particles), never a word
 * a researcher could search for on its own («ایران», «год», «state»).
 */
#include "stopwords.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* Persian: prepositions, conjunctions, pronouns, demonstratives, the copula
 * and the commonest light-verb forms. Spelled with ZWNJ where standard; the
 * normalization removes it, as it does in text. */
const char *const ka_stopwords_fa[] = {
    "و", "در", "به", "از", "که", "این", "آن", "را", "با", "برای", "تا", "یا", "هم",
    "بر", "اما", "اگر", "نیز", "یک", "هر", "دیگر", "چه", "چون", "پس", "بی", "بین",
    "درباره", "روی", "زیر", "پیش", "پیرامون", "نزد", "سوی", "جز", "مگر", "ولی",
    "لیکن", "زیرا", "چنین", "چنان", "همین", "همان", "آنها", "آن‌ها", "اینها", "این‌ها",
    "او", "وی", "ما", "شما", "من", "تو", "ایشان", "آنان", "اینان", "خود", "خویش",
    "است", "هست", "نیست", "بود", "بوده", "باشد", "باشند", "شد", "شده", "شود", "شوند",
    "می‌شود", "می‌شوند", "کرد", "کرده", "کند", "کنند", "می‌کند", "می‌کنند", "نمود",
    "دارد", "دارند", "داشت", "داشته", "خواهد", "گردد", "گردید", "گرفت", "گرفته",
    "اند", "ای", "ها", "های", "هایی", "آنکه", "اینکه", "آیا", "بلکه", "سپس", "حتی",
    "همچنین", "همچون", "مانند", "نه", "هیچ", "همه", "برخی", "بعضی", "چند", "چندین",
    "کدام", "کجا", "کی", "چرا", "چگونه", "وقتی", "هنگامی", "آنجا", "اینجا", 
    "ضمن", "طی", "توسط", "جهت", "همراه", "علیه", "بدون", "درون", "میان",
    "بسیار", "خیلی", "فقط", "تنها", "باید", "نباید", "شاید", "هنوز", "اکنون",
    "پیشتر", "بیشتر", "کمتر", "ولیکن", "چنانچه", "چنانکه", "درحالی", "بنابراین",
    "لذا", "همواره", "یعنی", "البته", "مثل", "کاملا", "بدین", "بدان", "آنچه", "اینچنین",
};

/* Russian: prepositions, conjunctions, particles, pronouns and быть. */
const char *const ka_stopwords_ru[] = {
    "и", "в", "во", "не", "что", "он", "на", "я", "с", "со", "как", "а", "то", "все",
    "она", "так", "его", "но", "да", "ты", "к", "ко", "у", "же", "вы", "за", "бы", "по",
    "только", "ее", "её", "мне", "было", "вот", "от", "меня", "еще", "ещё", "нет", "о",
    "об", "обо", "из", "ему", "теперь", "когда", "даже", "ну", "ли", "если", "уже",
    "или", "ни", "быть", "был", "него", "до", "вас", "нибудь", "уж", "вам", "ведь",
    "там", "потом", "себя", "ничего", "ей", "может", "они", "тут", "где", "есть",
    "надо", "ней", "для", "мы", "тебя", "их", "чем", "была", "сам", "чтоб", "без",
    "будто", "чего", "раз", "тоже", "себе", "под", "будет", "ж", "тогда", "кто",
    "этот", "того", "потому", "этого", "какой", "ним", "здесь", "этом", "один",
    "почти", "мой", "тем", "чтобы", "нее", "были", "куда", "зачем", "всех", "никогда",
    "можно", "при", "наконец", "два", "об", "другой", "хоть", "после", "над", "больше",
    "тот", "через", "эти", "нас", "про", "всего", "них", "какая", "много", "разве",
    "эту", "моя", "впрочем", "хорошо", "свою", "этой", "перед", "иногда", "лучше",
    "чуть", "том", "нельзя", "такой", "им", "более", "всегда", "конечно", "всю",
    "между", "это", "эта", "также", "который", "которая", "которые", "которых",
    "котором", "которой", "свой", "своей", "своих", "является", "являются",
};

/* English: the usual function words (articles, pronouns, auxiliaries,
 * prepositions, conjunctions). */
const char *const ka_stopwords_en[] = {
    "a", "about", "above", "after", "again", "against", "all", "am", "an", "and",
    "any", "are", "as", "at", "be", "because", "been", "before", "being", "below",
    "between", "both", "but", "by", "can", "could", "did", "do", "does", "doing",
    "down", "during", "each", "few", "for", "from", "further", "had", "has", "have",
    "having", "he", "her", "here", "hers", "herself", "him", "himself", "his", "how",
    "i", "if", "in", "into", "is", "it", "its", "itself", "just", "me", "more",
    "most", "my", "myself", "no", "nor", "not", "now", "of", "off", "on", "once",
    "only", "or", "other", "our", "ours", "ourselves", "out", "over", "own", "same",
    "she", "should", "so", "some", "such", "than", "that", "the", "their", "theirs",
    "them", "themselves", "then", "there", "these", "they", "this", "those",
    "through", "to", "too", "under", "until", "up", "very", "was", "we", "were",
    "what", "when", "where", "which", "while", "who", "whom", "why", "will", "with",
    "would", "you", "your", "yours", "yourself", "yourselves", "also", "et", "al",
};

const size_t ka_stopwords_fa_count = COUNT(ka_stopwords_fa);
const size_t ka_stopwords_ru_count = COUNT(ka_stopwords_ru);
const size_t ka_stopwords_en_count = COUNT(ka_stopwords_en);
