"""Choice lists for model fields, built from the plain vocabulary in :mod:`yuqing.vocab`."""

from yuqing import vocab

MEDIA_TYPE_CHOICES: list[tuple[str, str]] = list(vocab.MEDIA_TYPES.items())
