"""CaseHub: case management for a city's 1999 citizen-service hotline."""
from datetime import datetime
from functools import partial
from zoneinfo import ZoneInfo

from flask import Flask, current_app, g, session
from flask_babel import get_locale, get_translations

from casehub.labels import label
from config import Config


class UnsafeConfiguration(RuntimeError):
    pass


def create_app(config_class: type[Config] = Config) -> Flask:
    config_class.prepare()
    problems = config_class.problems()
    if problems:
        raise UnsafeConfiguration("Refusing to start in production: " + "; ".join(problems) + ".")
    app = Flask(__name__, template_folder="../templates")
    app.config.from_object(config_class)
    from casehub.inputs import register_input_checks
    register_input_checks(app)
    register_models()
    register_extensions(app)
    register_blueprints(app)
    register_template_helpers(app)
    from casehub.errors import register_error_handlers
    register_error_handlers(app)
    from casehub.security import register_security_headers
    register_security_headers(app)
    from casehub.cli import register_cli
    register_cli(app)
    return app


def register_models() -> None:
    """Import every feature's models so metadata (and Alembic) sees the whole schema."""
    from casehub.audit import models as _audit  # noqa: F401
    from casehub.auth import models as _auth  # noqa: F401
    from casehub.cases import models as _cases  # noqa: F401
    from casehub.directory import models as _directory  # noqa: F401
    from casehub.health import models as _health  # noqa: F401
    from casehub.intake import models as _intake  # noqa: F401
    from casehub.notify import models as _notify  # noqa: F401
    from casehub.open311 import models as _open311  # noqa: F401
    from casehub.reports import models as _reports  # noqa: F401
    from casehub.routing import models as _routing  # noqa: F401
    from casehub.sla import models as _sla  # noqa: F401


def select_locale() -> str:
    """The language chosen in this session, else the city's first language, zh-TW."""
    languages = current_app.config["LANGUAGES"]
    return session["locale"] if session.get("locale") in languages else languages[0]


def request_translations():
    """This request's catalog (the language chosen in the session), looked up once."""
    if "translations" not in g:
        g.translations = get_translations()
    return g.translations


def register_extensions(app: Flask) -> None:
    from casehub import jobs
    from casehub.extensions import babel, csrf, db, login_manager, migrate

    db.init_app(app)
    migrate.init_app(app, db, directory=str(app.root_path + "/../migrations"))
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = None
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    # Flask-Babel finds the catalog anew for every string (about 50 µs each, a page has a hundred);
    # templates look it up once a request instead.
    app.jinja_env.install_gettext_callables(
        gettext=lambda string: request_translations().ugettext(string),
        ngettext=lambda singular, plural, n: request_translations().ungettext(singular, plural, n),
        newstyle=True)
    from casehub.forms import load_validator_messages
    app.before_request(load_validator_messages)
    jobs.init_app(app)
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        _enable_sqlite_pragmas(app)


def _enable_sqlite_pragmas(app: Flask) -> None:
    import sqlalchemy as sa

    from casehub.extensions import db

    with app.app_context():
        @sa.event.listens_for(db.engine, "connect")
        def _pragmas(dbapi_connection, _record):
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.close()


def register_blueprints(app: Flask) -> None:
    from casehub.extensions import csrf
    from casehub.admin.personal_data import bp as personal_data_bp
    from casehub.admin.views import bp as admin_bp
    from casehub.api import bp as api_bp
    from casehub.auth.views import bp as auth_bp
    from casehub.cases.views import bp as cases_bp
    from casehub.citizen.views import bp as citizen_bp
    from casehub.health.views import bp as health_bp
    from casehub.home.views import bp as home_bp
    from casehub.intake.views import bp as intake_bp
    from casehub.notify.views import bp as notify_bp
    from casehub.open311.views import bp as open311_bp
    from casehub.reports.views import bp as reports_bp
    from casehub.routing.views import bp as routing_bp
    from casehub.sla.views import bp as sla_bp

    app.register_blueprint(health_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(home_bp)
    app.register_blueprint(api_bp)
    csrf.exempt(api_bp)  # JSON only: see casehub.api.require_json_writes
    app.register_blueprint(cases_bp)
    app.register_blueprint(intake_bp)
    app.register_blueprint(open311_bp)
    app.register_blueprint(citizen_bp)
    app.register_blueprint(admin_bp)
    app.register_blueprint(personal_data_bp)
    app.register_blueprint(notify_bp)
    app.register_blueprint(sla_bp)
    app.register_blueprint(routing_bp)
    app.register_blueprint(reports_bp)


def register_template_helpers(app: Flask) -> None:
    zone = ZoneInfo(app.config["TIMEZONE"])

    @app.template_filter("local")
    def local_time(value: datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
        """Show a stored UTC time in the city's time zone, in digits (the same in both languages)."""
        if value is None:
            return ""
        return value.astimezone(zone).strftime(fmt)

    @app.context_processor
    def inject_locale():
        labels = {}

        def page_label(kind: str, value) -> str:
            """label(), each code translated once a page: a list repeats the same few statuses."""
            key = (kind, getattr(value, "value", value))
            if key not in labels:
                labels[key] = label(kind, value)
            return labels[key]

        return {"current_locale": str(get_locale()), "label": page_label,
                "role_label": partial(page_label, "role"), "channel_label": partial(page_label, "channel"),
                "status_label": partial(page_label, "status"), "contact_label": partial(page_label, "contact")}
