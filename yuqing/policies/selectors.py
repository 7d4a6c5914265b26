"""Reads of the policy library: listing and search, similarity, suggestions for an event."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from yuqing.events.models import Event
from yuqing.items.models import Item
from yuqing.items.search import query_terms
from yuqing.policies import similarity
from yuqing.policies.models import PolicyDocument, Validity
from yuqing.policies.similarity import Match

MISREADING = "misreading"
SUGGESTION_ITEMS = 5
SUGGESTION_ITEM_CHARS = 2_000


def policy_list(*, q: str = "", validity: str = "") -> QuerySet[PolicyDocument]:
    """Policies whose title or text contains every word of ``q`` (segmented like the documents), or
    whose 文号 contains ``q``; newest first."""
    qs = PolicyDocument.objects.defer("text", "search_text")
    if validity:
        qs = qs.filter(validity=validity)
    q = q.strip()
    if q:
        terms = query_terms(q)
        words = Q()
        for term in terms:
            words &= Q(search_text__contains=f" {term} ")
        qs = qs.filter((words if terms else Q(pk__in=[])) | Q(doc_number__icontains=q))
    return qs.order_by("-issued_on", "-id")


def policies_similar(text: str, *, limit: int = 5, include_repealed: bool = False) -> list[Match]:
    """Policies closest to ``text`` by TF-IDF cosine, each with its score and the words it shares;
    失效 documents excluded (or, with ``include_repealed``, after all others)."""
    return similarity.rank(text, limit=limit, include_repealed=include_repealed)


def event_is_misreading(event: Event) -> bool:
    return bool((event.categories or {}).get(MISREADING))


def event_policy_text(event: Event) -> str:
    """What an event says: its title, hot words and the text of its first items."""
    words = [str(w.get("word", "")) for w in event.hot_words or [] if isinstance(w, dict)]
    rows = (
        Item.objects.filter(event=event)
        .order_by("published_at", "id")
        .values_list("title", "content")[:SUGGESTION_ITEMS]
    )
    parts = [event.title, " ".join(words)]
    parts += [f"{title}\n{content[:SUGGESTION_ITEM_CHARS]}" for title, content in rows]
    return "\n".join(p for p in parts if p)


def event_policy_suggestions(event: Event, *, limit: int = 5) -> list[Match]:
    """For an event classed 对税收政策误读, the policies a clarification could cite; [] otherwise."""
    if not event_is_misreading(event):
        return []
    return policies_similar(event_policy_text(event), limit=limit)


def validity_choices() -> list[tuple[str, str]]:
    return [(str(v), str(label)) for v, label in Validity.choices]
