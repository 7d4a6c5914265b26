"""The classifiers behind :class:`yuqing.analysis.analyze.Analyzer`: 涉税 relevance, sentiment, categories.

One pipeline per text: normalise → jieba words (``yuqing.analysis.text``) → lexicon signals (:mod:`.signals`,
:mod:`.lexicons`) → one hashed sparse vector (:mod:`.features`) → every linear head at once (:mod:`.model`)
→ decisions with reasons (:mod:`.relevance`, :mod:`.sentiment`, :mod:`.categories`).
Training lives in :mod:`yuqing.analysis.train`, data access in :mod:`.datasets`, figures in :mod:`.metrics`.
"""
