"""Education analytics: reach, visits, starts, completions per item, path, campaign and
channel, and the funnel from a campaign's message to a completed lesson. Set-based SQL.

- Reach: creators sent a message whose template links the item (`learn('slug')`), counted
  from sent deliveries of the campaign's messages in that channel and language.
- Visits, starts, halfway, completions: creators with a progress row at that stage. By
  campaign and channel they are attributed to the delivery whose link first brought them.
- Completion rate: completions ÷ visitors.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import connection

from campaigns.models import Campaign, Delivery, Message
from education.models import ContentItem, LearningPath, LearningPathItem, LearningProgress

# Matches learn('slug') / learn("slug") inside the JSON text of a message's fields.
LEARN_REGEX_SQL = "'learn\\(\\s*\\\\?[''\"]' || i.slug || '\\\\?[''\"]\\s*\\)'"


def _rate(part: int, whole: int) -> float:
    return part / whole if whole else 0.0


@dataclass
class ItemRow:
    item_id: int
    slug: str
    kind: str
    level: int
    reach: int = 0
    visits: int = 0
    starts: int = 0
    halves: int = 0
    completions: int = 0

    @property
    def kind_label(self) -> str:
        """The kind in the reader's language ("Guía"), not its code ("guide")."""
        return str(ContentItem.Kind(self.kind).label)

    @property
    def completion_rate(self) -> float:
        return _rate(self.completions, self.visits)


@dataclass
class CampaignRow:
    campaign_id: int
    campaign_name: str
    channel: str
    slug: str
    reach: int
    visits: int
    completions: int

    @property
    def completion_rate(self) -> float:
        return _rate(self.completions, self.visits)


@dataclass
class PathRow:
    slug: str
    title: str
    items: int
    started: int
    completed: int

    @property
    def completion_rate(self) -> float:
        return _rate(self.completed, self.started)


@dataclass
class EducationReport:
    items: list[ItemRow] = field(default_factory=list)
    campaigns: list[CampaignRow] = field(default_factory=list)
    paths: list[PathRow] = field(default_factory=list)
    funnel: list[tuple[str, int]] = field(default_factory=list)


def _regex_operator() -> str:
    """PostgreSQL's regular-expression match."""
    return "~"


def _reach_sql(where: str) -> str:
    items, messages, deliveries = (
        ContentItem._meta.db_table,
        Message._meta.db_table,
        Delivery._meta.db_table,
    )
    return f"""
        SELECT DISTINCT i.id AS item_id, d.id AS delivery_id, d.campaign_id, d.channel,
               d.creator_id, d.first_opened_at, d.first_clicked_at
        FROM {items} i
        JOIN {messages} m ON CAST(m.fields AS TEXT) {_regex_operator()} ({LEARN_REGEX_SQL})
        JOIN {deliveries} d ON d.campaign_id = m.campaign_id AND d.channel = m.channel
             AND d.locale = m.locale AND d.status = 'sent'
        WHERE {where}
    """


def education_analytics_get(
    *, campaign_id: int | None = None, channel: str = "", level: int | None = None
) -> EducationReport:
    conditions: list[str] = ["TRUE"]
    params: list[int | str] = []
    if level is not None:
        conditions.append("i.level = %s")
        params.append(level)
    item_where = " AND ".join(conditions)
    reach_conditions, reach_params = [item_where], list(params)
    progress_join = f"LEFT JOIN {Delivery._meta.db_table} d ON d.id = p.delivery_id"
    progress_conditions = [item_where]
    progress_params = list(params)
    if campaign_id is not None:
        reach_conditions.append("d.campaign_id = %s")
        reach_params.append(campaign_id)
        progress_conditions.append("d.campaign_id = %s")
        progress_params.append(campaign_id)
    if channel:
        reach_conditions.append("d.channel = %s")
        reach_params.append(channel)
        progress_conditions.append("d.channel = %s")
        progress_params.append(channel)
    reach = _reach_sql(" AND ".join(reach_conditions))
    progress, items = LearningProgress._meta.db_table, ContentItem._meta.db_table
    report = EducationReport()
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            WITH reach AS ({reach}),
            prog AS (
                SELECT p.item_id,
                       COUNT(*) AS visits,
                       COUNT(*) FILTER (WHERE p.started_at IS NOT NULL) AS starts,
                       COUNT(*) FILTER (WHERE p.half_at IS NOT NULL) AS halves,
                       COUNT(*) FILTER (WHERE p.completed_at IS NOT NULL) AS completions
                FROM {progress} p JOIN {items} i ON i.id = p.item_id {progress_join}
                WHERE {" AND ".join(progress_conditions)}
                GROUP BY p.item_id
            ),
            reached AS (SELECT item_id, COUNT(DISTINCT creator_id) AS n FROM reach GROUP BY item_id)
            SELECT i.id, i.slug, i.kind, i.level, COALESCE(r.n, 0), COALESCE(p.visits, 0),
                   COALESCE(p.starts, 0), COALESCE(p.halves, 0), COALESCE(p.completions, 0)
            FROM {items} i
            LEFT JOIN reached r ON r.item_id = i.id
            LEFT JOIN prog p ON p.item_id = i.id
            WHERE {item_where} AND (i.status = 'published' OR r.n > 0 OR p.visits > 0)
            ORDER BY i.level, i.slug
            """,
            [*reach_params, *progress_params, *params],
        )
        report.items = [ItemRow(*row) for row in cursor.fetchall()]

        cursor.execute(
            f"""
            WITH reach AS ({reach}),
            reached AS (
                SELECT item_id, campaign_id, channel, COUNT(DISTINCT creator_id) AS n
                FROM reach GROUP BY item_id, campaign_id, channel
            ),
            prog AS (
                SELECT p.item_id, d.campaign_id, d.channel, COUNT(*) AS visits,
                       COUNT(*) FILTER (WHERE p.completed_at IS NOT NULL) AS completions
                FROM {progress} p JOIN {items} i ON i.id = p.item_id {progress_join}
                WHERE d.id IS NOT NULL AND {" AND ".join(progress_conditions)}
                GROUP BY p.item_id, d.campaign_id, d.channel
            )
            SELECT COALESCE(r.campaign_id, p.campaign_id), c.name,
                   COALESCE(r.channel, p.channel), i.slug, COALESCE(r.n, 0),
                   COALESCE(p.visits, 0), COALESCE(p.completions, 0)
            FROM reached r
            FULL OUTER JOIN prog p ON p.item_id = r.item_id AND p.campaign_id = r.campaign_id
                 AND p.channel = r.channel
            JOIN {items} i ON i.id = COALESCE(r.item_id, p.item_id)
            JOIN {Campaign._meta.db_table} c ON c.id = COALESCE(r.campaign_id, p.campaign_id)
            ORDER BY 1 DESC, 3, 4
            """,
            [*reach_params, *progress_params],
        )
        report.campaigns = [CampaignRow(*row) for row in cursor.fetchall()]

        cursor.execute(
            f"""
            WITH reach AS ({reach}),
            attributed AS (
                SELECT p.* FROM {progress} p JOIN reach r
                  ON r.delivery_id = p.delivery_id AND r.item_id = p.item_id
            )
            SELECT (SELECT COUNT(DISTINCT delivery_id) FROM reach),
                   (SELECT COUNT(DISTINCT delivery_id) FROM reach WHERE first_opened_at IS NOT NULL),
                   (SELECT COUNT(DISTINCT delivery_id) FROM reach WHERE first_clicked_at IS NOT NULL),
                   (SELECT COUNT(*) FROM attributed),
                   (SELECT COUNT(*) FROM attributed WHERE started_at IS NOT NULL),
                   (SELECT COUNT(*) FROM attributed WHERE completed_at IS NOT NULL)
            """,
            reach_params,
        )
        sent, opened, clicked, visited, started, completed = cursor.fetchone()
        report.funnel = [
            ("sent", sent),
            ("opened", opened),
            ("clicked", clicked),
            ("visited", visited),
            ("started", started),
            ("completed", completed),
        ]

        path_where, path_params = ("lp.level = %s", [level]) if level is not None else ("TRUE", [])
        cursor.execute(
            f"""
            WITH steps AS (
                SELECT s.path_id, COUNT(*) AS n FROM {LearningPathItem._meta.db_table} s
                GROUP BY s.path_id
            ),
            per_creator AS (
                SELECT s.path_id, p.creator_id, COUNT(p.completed_at) AS done
                FROM {LearningPathItem._meta.db_table} s
                JOIN {progress} p ON p.item_id = s.item_id
                GROUP BY s.path_id, p.creator_id
            )
            SELECT lp.slug, lp.title_es, COALESCE(st.n, 0),
                   COUNT(pc.creator_id), COUNT(pc.creator_id) FILTER (WHERE pc.done >= st.n)
            FROM {LearningPath._meta.db_table} lp
            LEFT JOIN steps st ON st.path_id = lp.id
            LEFT JOIN per_creator pc ON pc.path_id = lp.id
            WHERE {path_where}
            GROUP BY lp.id, lp.slug, lp.title_es, st.n
            ORDER BY lp.level, lp.slug
            """,
            path_params,
        )
        report.paths = [PathRow(*row) for row in cursor.fetchall()]
    return report
