"""CaseHub settings, read from the environment; one class per mode.

Every setting here is listed in the README's configuration table.
"""
import os
import secrets
from pathlib import Path

INSTANCE_DIR = Path(os.environ.get("CASEHUB_INSTANCE_DIR", Path(__file__).parent / "instance"))


def _bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


def _rate(name: str, default: str) -> tuple[int, int]:
    """A rate limit written "COUNT/SECONDS", e.g. "10/600": at most 10 attempts in each 10-minute window."""
    count, _slash, seconds = (os.environ.get(name) or default).partition("/")
    return int(count), int(seconds)


def _embedded_secret_key() -> str:
    """Generate the embedded-mode key once and keep it, so sessions survive restarts."""
    key_file = INSTANCE_DIR / "secret_key"
    if not key_file.exists():
        INSTANCE_DIR.mkdir(parents=True, exist_ok=True)
        key_file.write_text(secrets.token_hex(32))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


def _database_url(url: str | None) -> str:
    if not url:
        return f"sqlite:///{INSTANCE_DIR / 'casehub.sqlite3'}"
    # Hosting platforms hand out postgres:// URLs; SQLAlchemy needs the driver named.
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


class Config:
    ENV_NAME = os.environ.get("CASEHUB_ENV", "development")
    SQLALCHEMY_DATABASE_URI = _database_url(os.environ.get("DATABASE_URL"))
    REDIS_URL = os.environ.get("REDIS_URL") or None
    SECRET_KEY = os.environ.get("SECRET_KEY") or None
    TIMEZONE = os.environ.get("CASEHUB_TIMEZONE", "Asia/Taipei")
    # When the city's offices are open on a working day: working-day deadlines end at closing time.
    OFFICE_HOURS = os.environ.get("CASEHUB_OFFICE_HOURS", "08:00-17:30")
    BABEL_DEFAULT_LOCALE = "zh_TW"
    BABEL_DEFAULT_TIMEZONE = TIMEZONE
    LANGUAGES = ("zh_TW", "en")

    PASSWORD_HASH_METHOD = "scrypt"
    # Sign-in throttle (casehub.auth.throttle): past the free failures, a wait of 2^(n - free) seconds, capped.
    LOGIN_FREE_FAILURES = _int("CASEHUB_LOGIN_FREE_FAILURES", 5)
    LOGIN_FREE_FAILURES_PER_ADDRESS = _int("CASEHUB_LOGIN_FREE_FAILURES_PER_ADDRESS", 20)
    LOGIN_MAX_DELAY_SECONDS = _int("CASEHUB_LOGIN_MAX_DELAY_SECONDS", 900)
    LOGIN_FAILURE_WINDOW_MINUTES = _int("CASEHUB_LOGIN_FAILURE_WINDOW_MINUTES", 60)
    # A call outlasts no 45-minute silence, while a desk left for lunch signs out; no session outlives a shift.
    SESSION_IDLE_MINUTES = _int("CASEHUB_SESSION_IDLE_MINUTES", 45)
    SESSION_LIFETIME_HOURS = _int("CASEHUB_SESSION_LIFETIME_HOURS", 12)
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = _bool("SESSION_COOKIE_SECURE", False)
    WTF_CSRF_TIME_LIMIT = None

    MAIL_SERVER = os.environ.get("MAIL_SERVER") or None
    MAIL_PORT = _int("MAIL_PORT", 25)
    MAIL_USE_TLS = _bool("MAIL_USE_TLS", False)
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME") or None
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD") or None
    MAIL_DEFAULT_SENDER = os.environ.get("MAIL_DEFAULT_SENDER", "casehub@localhost")
    SMS_GATEWAY_URL = os.environ.get("SMS_GATEWAY_URL") or None
    SMS_GATEWAY_TOKEN = os.environ.get("SMS_GATEWAY_TOKEN") or None
    # "module:Class" of the SMS adapter (send(to, text, *, idempotency_key), README); a city plugs its provider in.
    SMS_ADAPTER = os.environ.get("CASEHUB_SMS_ADAPTER", "casehub.notify.senders:HttpSmsGateway")
    # Messages beyond this many per recipient in a clock hour wait for one digest (hazards excepted).
    NOTIFY_HOURLY_LIMIT = _int("CASEHUB_NOTIFY_HOURLY_LIMIT", 10)
    # Where staff open CaseHub: the links in agency and staff messages start with it.
    BASE_URL = os.environ.get("CASEHUB_BASE_URL", "http://127.0.0.1:5000").rstrip("/")

    ATTACHMENT_DIR = os.environ.get("CASEHUB_ATTACHMENT_DIR") or str(INSTANCE_DIR / "attachments")
    MAX_ATTACHMENT_BYTES = _int("CASEHUB_MAX_ATTACHMENT_MB", 10) * 1024 * 1024
    MAX_CONTENT_LENGTH = MAX_ATTACHMENT_BYTES * 5
    DUPLICATE_WINDOW_DAYS = _int("CASEHUB_DUPLICATE_WINDOW_DAYS", 14)
    DUPLICATE_RADIUS_METRES = _int("CASEHUB_DUPLICATE_RADIUS_METRES", 150)

    # The citizen's side and Open311 GeoReport v2 (README: "Open311 and the citizen's side").
    REOPEN_WINDOW_DAYS = _int("CASEHUB_REOPEN_WINDOW_DAYS", 14)
    OPEN311_JURISDICTION_ID = os.environ.get("CASEHUB_OPEN311_JURISDICTION_ID", "kcg.gov.tw")
    OPEN311_CONTACT = os.environ.get("CASEHUB_OPEN311_CONTACT", "1999 citizen-service hotline (1999 市民服務專線)")
    # Requests filed with an API key whose name starts with this count in the "app" channel, the rest in "open311".
    OPEN311_CITY_APP_KEY_PREFIX = os.environ.get("CASEHUB_OPEN311_CITY_APP_KEY_PREFIX", "city-app")
    RATE_LIMITS = {
        "citizen_form": _rate("CASEHUB_RATE_LIMIT_CITIZEN_FORM", "10/3600"),  # per IP: mailbox, rating, reopening
        "tracking": _rate("CASEHUB_RATE_LIMIT_TRACKING", "20/600"),  # per IP: number and code look-ups
        "open311_post": _rate("CASEHUB_RATE_LIMIT_OPEN311_POST", "120/60"),  # per API key
        "open311_get": _rate("CASEHUB_RATE_LIMIT_OPEN311_GET", "600/60"),  # per API key and, apart, per IP
    }
    # While Redis is down each web process allows this share of every limit (README: "Response headers...").
    RATE_LIMIT_WEB_PROCESSES = max(_int("CASEHUB_RATE_LIMIT_WEB_PROCESSES", 4), 1)

    # Background work (README: "Health, metrics and the staff banner"): /readyz fails without a scheduler
    # heartbeat this recent; staff see a banner when the SLA sweep or the oldest pending message is this late.
    SCHEDULER_STALE_MINUTES = _int("CASEHUB_SCHEDULER_STALE_MINUTES", 2)
    SWEEP_LATE_MINUTES = _int("CASEHUB_SWEEP_LATE_MINUTES", 5)
    MESSAGE_LATE_MINUTES = _int("CASEHUB_MESSAGE_LATE_MINUTES", 10)
    OPERATIONS_STATUS_CACHE_SECONDS = 30  # each web process reads the banner's figures at most this often
    # Who may scrape /metrics: comma-separated CIDRs; everyone else gets a 404.
    METRICS_ALLOWED_NETWORKS = os.environ.get("CASEHUB_METRICS_ALLOWED_NETWORKS", "127.0.0.1/32,::1/128")

    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True}

    @classmethod
    def prepare(cls) -> None:
        """Fill in derived settings; embedded mode may generate its secret key."""
        if cls.SQLALCHEMY_DATABASE_URI.startswith("sqlite"):
            INSTANCE_DIR.mkdir(parents=True, exist_ok=True)
            # The in-process job thread writes while requests do; wait for the lock instead of failing.
            cls.SQLALCHEMY_ENGINE_OPTIONS = {"connect_args": {"timeout": 30}}
        if not cls.SECRET_KEY and cls.ENV_NAME != "production":
            cls.SECRET_KEY = _embedded_secret_key()

    @classmethod
    def problems(cls) -> list[str]:
        """Reasons this configuration is unsafe for production; empty when it is fine."""
        if cls.ENV_NAME != "production":
            return []
        found = []
        if not cls.SECRET_KEY or len(cls.SECRET_KEY) < 32:
            found.append("SECRET_KEY must be set to a random value of at least 32 characters")
        if cls.SQLALCHEMY_DATABASE_URI.startswith("sqlite"):
            found.append("DATABASE_URL must point to PostgreSQL; SQLite is for the embedded demo only")
        if not cls.REDIS_URL:
            found.append("REDIS_URL must be set; production runs jobs on RQ workers")
        if not cls.SESSION_COOKIE_SECURE:
            found.append("SESSION_COOKIE_SECURE must be true behind HTTPS")
        return found


class TestConfig(Config):
    ENV_NAME = "test"
    TESTING = True
    SQLALCHEMY_DATABASE_URI = _database_url(
        os.environ.get("CASEHUB_TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/casehub_test")
    )
    REDIS_URL = os.environ.get("CASEHUB_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
    SECRET_KEY = "test-secret-key-" + "x" * 32
    WTF_CSRF_ENABLED = False
    # Deliberately weak hashing: the suite creates hundreds of users and scrypt costs ~50 ms each.
    PASSWORD_HASH_METHOD = "pbkdf2:sha256:1000"
    # Pages show the heartbeats a test has just written (the cache has a test of its own).
    OPERATIONS_STATUS_CACHE_SECONDS = 0
