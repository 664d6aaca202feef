"""Reports as exportable documents (casehub.reports.exports), in the reader's language, filters included."""
import sqlalchemy as sa
from flask_babel import gettext as _
from flask_login import current_user

from casehub.directory.models import Agency, Category, District
from casehub.extensions import db
from casehub.labels import label
from casehub.models import city_zone, utcnow
from casehub.reports.exports import Document, Table
from casehub.reports.monthly import MonthlyAnalysis
from casehub.reports.queries import SlaFigures, SlaReport


def _local(moment):
    return moment.astimezone(city_zone()) if moment else None


def _named(model, code: str, locale: str) -> str:
    row = db.session.scalar(sa.select(model).where(model.code == code))
    return f"{code} {row.name(locale)}" if row else code


def describe_filters(query: dict, locale: str, *, scoped_agency: str | None = None) -> list[tuple[str, str]]:
    """The filters a report was made with, as (label, value) rows for the top of the file."""
    rows = [(_("From"), query["first"].isoformat()), (_("To"), query["last"].isoformat())]
    agency = scoped_agency or query.get("agency")
    if agency:
        rows.append((_("Agency"), _named(Agency, agency, locale)))
    if query.get("category"):
        rows.append((_("Category"), _named(Category, query["category"], locale)))
    if query.get("district"):
        rows.append((_("District"), _named(District, query["district"], locale)))
    if query.get("channel"):
        rows.append((_("Channel"), label("channel", query["channel"])))
    if query.get("kind"):
        rows.append((_("Kind"), label("kind", query["kind"])))
    if query.get("group_by"):
        rows.append((_("Grouped by"), group_label(query["group_by"])))
    rows.append((_("Exported at"), _local(utcnow()).strftime("%Y-%m-%d %H:%M")))
    return rows


def group_label(group_by: str) -> str:
    return {"agency": _("Agency"), "category": _("Category"), "channel": _("Channel"), "district": _("District"),
            "kind": _("Kind")}[group_by]


def row_name(row: SlaFigures, locale: str) -> str:
    name = row.name if locale.startswith("zh") else row.name_en
    return name or _("(none)")


def sla_columns() -> list[str]:
    return [_("Code"), _("Name"), _("Received"), _("Resolved"), _("Resolved on time"), _("On-time rate (%)"),
            _("Overdue and open at the end"), _("Median handling (hours)"), _("90th percentile (hours)"),
            _("Median handling (working days)"), _("90th percentile (working days)"), _("Reopened"),
            _("Satisfaction responses"), _("Satisfied (%)")]


def sla_values(row: SlaFigures) -> list:
    return [row.received, row.resolved, row.resolved_on_time, row.on_time_rate, row.overdue_open, row.median_hours,
            row.p90_hours, row.times.median_working_days, row.times.p90_working_days, row.reopened,
            row.satisfaction_responses, row.satisfaction_rate]


def _scoped() -> str | None:
    """An agency supervisor's reports are about their agency, whether or not the query named it."""
    return current_user.agency.code if current_user.role.needs_agency else None


def sla_document(query: dict, report: SlaReport, locale: str) -> Document:
    table = Table(_("SLA report by %(group)s", group=group_label(report.group_by)), sla_columns())
    table.rows = [[row.key, row_name(row, locale), *sla_values(row)] for row in report.rows]
    table.rows.append([None, _("Total"), *sla_values(report.totals)])
    return Document(_("SLA report"), describe_filters(query, locale, scoped_agency=_scoped()), [table])


def calls_document(query: dict, figures: dict) -> Document:
    outcomes = [("consultation", _("Consultations answered on the line")),
                ("case", _("Recorded and forwarded as cases")), ("other", _("Other"))]
    table = Table(_("Call centre"), [_("Figure"), _("Value")], [
        [_("Calls handled"), figures["total"]],
        [_("Monthly average"), figures["monthly_average"]],
        *([name, figures["by_outcome"][key]] for key, name in outcomes),
        *([f"{name} (%)", figures["shares"][key]] for key, name in outcomes),
        [_("Consultations answered at once (%)"), figures["answered_immediately_rate"]],
        [_("Average call length (seconds)"), figures["average_handling_seconds"]],
        [_("Satisfaction responses"), figures["satisfaction_responses"]],
        [_("Satisfied (%)"), figures["satisfaction_rate"]],
    ])
    return Document(_("Call centre report"), describe_filters(query, ""), [table])


def dashboard_document(query: dict, data: dict, locale: str) -> Document:
    """Every table of the dashboard; the charts are drawn from the same figures."""
    scoped = _scoped()
    figures = [_("Code"), _("Name"), _("Received"), _("Resolved"), _("Resolved on time"), _("On-time rate (%)"),
               _("Overdue and open at the end")]

    def rows(report_rows):
        return [[row.key, row_name(row, locale), row.received, row.resolved, row.resolved_on_time, row.on_time_rate,
                 row.overdue_open] for row in report_rows]

    totals = data["totals"]
    return Document(_("Dashboard"), describe_filters(query, locale, scoped_agency=scoped), [
        Table(_("Totals"), [_("Received"), _("Resolved"), _("Resolved on time"), _("On-time rate (%)"),
                            _("Overdue and open at the end"), _("Open now")],
              [[totals.received, totals.resolved, totals.resolved_on_time, totals.on_time_rate, totals.overdue_open,
                sum(item["count"] for item in data["backlog"])]]),
        Table(_("Today's intake by channel"), [_("Channel"), _("Received")],
              [[label("channel", item["key"]), item["received"]] for item in data["today_by_channel"]]),
        Table(_("Open backlog by age"), [_("Working days since receipt"), _("Open cases")],
              [[item["label"], item["count"]] for item in data["backlog"]]),
        Table(_("Overdue now by agency"), [_("Code"), _("Name"), _("Overdue cases")],
              [[item["key"], (item["name"] if locale.startswith("zh") else item["name_en"]) or _("(none)"),
                item["count"]]
               for item in data["overdue_by_agency"]]),
        Table(_("Four-hour hazards"), figures, rows(data["hazards"])
              + [[None, _("Total"), data["hazard_totals"].received, data["hazard_totals"].resolved,
                  data["hazard_totals"].resolved_on_time, data["hazard_totals"].on_time_rate,
                  data["hazard_totals"].overdue_open]]),
        Table(_("On-time rate by agency"), figures, rows(data["on_time_by_agency"])),
        Table(_("Monthly trend"), [_("Month"), _("Resolved"), _("Resolved on time"), _("On-time rate (%)")],
              [[point["month"], point["resolved"], point["resolved_on_time"], point["on_time_rate"]]
               for point in data["trend"]]),
        Table(_("Top categories"), figures, rows(data["top_categories"])),
        Table(_("Districts"), figures, rows(data["districts"])),
    ])


def monthly_rows(analysis: MonthlyAnalysis) -> list[list]:
    """Figure, this month, the month before, change, the city this month."""
    this, previous = analysis.this.totals, analysis.previous.totals

    def change(now, before):
        return None if now is None or before is None else round(now - before, 2)

    return [
        [_("Received"), this.received, previous.received, this.received - previous.received, analysis.city["received"]],
        [_("Resolved"), this.resolved, previous.resolved, this.resolved - previous.resolved, analysis.city["resolved"]],
        [_("On-time rate (%)"), this.on_time_rate, previous.on_time_rate,
         change(this.on_time_rate, previous.on_time_rate), analysis.city_on_time_rate],
        [_("Median handling (hours)"), this.median_hours, previous.median_hours,
         change(this.median_hours, previous.median_hours), None],
        [_("First responses on time (%)"), this.first_response_rate, previous.first_response_rate,
         change(this.first_response_rate, previous.first_response_rate), None],
        [_("Overdue and open at the end"), this.overdue_open, previous.overdue_open,
         this.overdue_open - previous.overdue_open, None],
        [_("Reopened"), this.reopened, previous.reopened, this.reopened - previous.reopened, None],
        [_("Satisfied (%)"), this.satisfaction_rate, previous.satisfaction_rate,
         change(this.satisfaction_rate, previous.satisfaction_rate), analysis.city_satisfaction_rate],
    ]


def monthly_columns() -> list[str]:
    return [_("Figure"), _("This month"), _("Previous month"), _("Change"), _("City, this month")]


def monthly_document(analysis: MonthlyAnalysis, locale: str) -> Document:
    filters = [(_("Agency"), f"{analysis.agency.code} {analysis.agency.name(locale)}"),
               (_("Month"), f"{analysis.month:%Y-%m}"), (_("From"), analysis.first.isoformat()),
               (_("To"), analysis.last.isoformat()),
               (_("Exported at"), _local(utcnow()).strftime("%Y-%m-%d %H:%M"))]
    by_kind = Table(_("By kind"), [_("Kind"), *sla_columns()[2:]],
                    [[label("kind", row.ref), *sla_values(row)] for row in analysis.this.rows])
    overdue = Table(_("Overdue cases"), [_("Number"), _("Category"), _("Kind"), _("Received"), _("Due"), _("Resolved"),
                                         _("Delay (hours)")],
                    [[case["number"], case["category"].name(locale), label("kind", case["kind"]),
                      _local(case["received_at"]), _local(case["due_at"]), _local(case["resolved_at"]),
                      case["delay_hours"]] for case in analysis.overdue_cases])
    reopened = Table(_("Reopened cases"), [_("Number"), _("Category"), _("Reopened at"), _("Times reopened"),
                                           _("Status now")],
                     [[item["number"], item["category"].name(locale), _local(item["at"]), item["reopened_count"],
                       label("status", item["status"])] for item in analysis.reopened_cases])
    return Document(_("Monthly analysis"), filters, [
        Table(_("The month"), monthly_columns(), monthly_rows(analysis)), by_kind, overdue, reopened])
