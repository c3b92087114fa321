"""The SQLite schema: numbered migrations, in order, as SQL scripts (statements separated by
``;``). Applied and recorded by ``store/migrations.py``. Never edit a migration that has shipped:
add a new one.
"""

from __future__ import annotations

MIGRATIONS: list[tuple[str, str]] = []

# A migration run by code rather than SQL (store/migrations.py knows it by this script).
SEAL_EXISTING = "-- data step: store/sealing.py seals existing plain text"


def migration(name: str, script: str) -> None:
    MIGRATIONS.append((name, script))


migration(
    "0001_initial",
    """
        CREATE TABLE districts (
            id TEXT PRIMARY KEY,
            name_zh TEXT NOT NULL,
            name_en TEXT NOT NULL
        );
        CREATE TABLE products (
            id TEXT PRIMARY KEY,
            name_zh TEXT NOT NULL,
            name_en TEXT NOT NULL,
            manufacturer TEXT NOT NULL,
            doses INTEGER NOT NULL
        );
        CREATE TABLE sites (
            id INTEGER PRIMARY KEY,
            district_id TEXT NOT NULL REFERENCES districts(id),
            name_zh TEXT NOT NULL,
            name_en TEXT NOT NULL,
            address_zh TEXT NOT NULL,
            address_en TEXT NOT NULL,
            hours TEXT NOT NULL DEFAULT '',
            evening INTEGER NOT NULL DEFAULT 0,
            mobile INTEGER NOT NULL DEFAULT 0,
            accessible INTEGER NOT NULL DEFAULT 0
        );
        CREATE INDEX sites_district ON sites(district_id);
        CREATE TABLE slots (
            id INTEGER PRIMARY KEY,
            site_id INTEGER NOT NULL REFERENCES sites(id),
            product_id TEXT NOT NULL REFERENCES products(id),
            day TEXT NOT NULL,
            start TEXT NOT NULL,
            end TEXT NOT NULL,
            capacity INTEGER NOT NULL CHECK (capacity >= 0),
            booked INTEGER NOT NULL DEFAULT 0,
            released_at TEXT,
            CHECK (booked >= 0 AND booked <= capacity),
            UNIQUE (site_id, product_id, day, start)
        );
        CREATE INDEX slots_site_day ON slots(site_id, day);
        CREATE INDEX slots_day ON slots(day);
        CREATE TABLE accounts (
            id INTEGER PRIMARY KEY,
            phone TEXT UNIQUE,
            created_at TEXT NOT NULL
        );
        CREATE TABLE addresses (
            channel TEXT NOT NULL,
            address TEXT NOT NULL,
            account_id INTEGER NOT NULL REFERENCES accounts(id),
            PRIMARY KEY (channel, address)
        );
        CREATE TABLE residents (
            id INTEGER PRIMARY KEY,
            account_id INTEGER NOT NULL REFERENCES accounts(id),
            prereg_code TEXT NOT NULL UNIQUE,
            name TEXT NOT NULL,
            id_type TEXT NOT NULL,
            id_number TEXT NOT NULL,
            birth_date TEXT NOT NULL,
            sex TEXT,
            phone TEXT NOT NULL,
            district_id TEXT NOT NULL REFERENCES districts(id),
            noshows INTEGER NOT NULL DEFAULT 0,
            barred INTEGER NOT NULL DEFAULT 0,
            created_at TEXT NOT NULL,
            UNIQUE (id_type, id_number)
        );
        CREATE INDEX residents_account ON residents(account_id);
        CREATE TABLE doses (
            id INTEGER PRIMARY KEY,
            resident_id INTEGER NOT NULL REFERENCES residents(id),
            dose INTEGER NOT NULL,
            day TEXT NOT NULL,
            product_id TEXT NOT NULL REFERENCES products(id),
            site_id INTEGER REFERENCES sites(id),
            source TEXT NOT NULL,
            UNIQUE (resident_id, dose)
        );
        CREATE TABLE bookings (
            id INTEGER PRIMARY KEY,
            code TEXT NOT NULL UNIQUE,
            resident_id INTEGER NOT NULL REFERENCES residents(id),
            slot_id INTEGER NOT NULL REFERENCES slots(id),
            dose INTEGER NOT NULL,
            status TEXT NOT NULL CHECK (status IN ('active', 'cancelled', 'attended', 'noshow')),
            channel TEXT NOT NULL,
            actor TEXT NOT NULL,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        );
        CREATE UNIQUE INDEX bookings_one_active ON bookings(resident_id, dose)
            WHERE status = 'active';
        CREATE INDEX bookings_slot ON bookings(slot_id);
        CREATE TABLE conversations (
            channel TEXT NOT NULL,
            address TEXT NOT NULL,
            state TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            PRIMARY KEY (channel, address)
        );
        CREATE TABLE inbound (
            channel TEXT NOT NULL,
            message_id TEXT NOT NULL,
            replies TEXT NOT NULL,
            received_at TEXT NOT NULL,
            PRIMARY KEY (channel, message_id)
        );
        CREATE TABLE outbox (
            id INTEGER PRIMARY KEY,
            channel TEXT NOT NULL,
            address TEXT NOT NULL,
            text TEXT NOT NULL,
            idempotency_key TEXT NOT NULL UNIQUE,
            due_at TEXT NOT NULL,
            attempts INTEGER NOT NULL DEFAULT 0,
            last_error TEXT,
            sent_at TEXT,
            created_at TEXT NOT NULL
        );
        CREATE INDEX outbox_due ON outbox(due_at) WHERE sent_at IS NULL;
        CREATE TABLE callbacks (
            id INTEGER PRIMARY KEY,
            channel TEXT NOT NULL,
            address TEXT NOT NULL,
            account_id INTEGER REFERENCES accounts(id),
            reason TEXT NOT NULL,
            status TEXT NOT NULL DEFAULT 'open',
            created_at TEXT NOT NULL,
            closed_at TEXT,
            outcome TEXT
        );
        CREATE TABLE audit (
            id INTEGER PRIMARY KEY,
            at TEXT NOT NULL,
            actor TEXT NOT NULL,
            channel TEXT NOT NULL,
            action TEXT NOT NULL,
            entity TEXT NOT NULL,
            entity_id TEXT NOT NULL,
            before TEXT,
            after TEXT
        );
        CREATE INDEX audit_entity ON audit(entity, entity_id);
""",
)

migration(
    "0002_screening_and_proxies",
    """
        ALTER TABLE residents ADD COLUMN relation TEXT NOT NULL DEFAULT 'self';
        ALTER TABLE residents ADD COLUMN nationality TEXT;
        ALTER TABLE bookings ADD COLUMN companion_name TEXT;
        ALTER TABLE bookings ADD COLUMN companion_phone TEXT;
        CREATE TABLE screenings (
            id INTEGER PRIMARY KEY,
            resident_id INTEGER NOT NULL REFERENCES residents(id),
            at TEXT NOT NULL,
            version TEXT NOT NULL,
            dose INTEGER NOT NULL,
            answers TEXT NOT NULL,
            outcome TEXT NOT NULL
                CHECK (outcome IN ('eligible', 'assess', 'deferred', 'not_eligible')),
            reason TEXT
        );
        CREATE INDEX screenings_resident ON screenings(resident_id, at);
""",
)

migration(
    "0003_doses_release_queue",
    """
        ALTER TABLE sites ADD COLUMN closed_on_holidays INTEGER NOT NULL DEFAULT 0;
        CREATE INDEX slots_unreleased ON slots(day) WHERE released_at IS NULL;
        CREATE TABLE queue (
            id INTEGER PRIMARY KEY,
            resident_id INTEGER NOT NULL REFERENCES residents(id),
            dose INTEGER NOT NULL,
            district_id TEXT REFERENCES districts(id),
            period TEXT,
            status TEXT NOT NULL DEFAULT 'waiting',
            created_at TEXT NOT NULL
        );
        CREATE UNIQUE INDEX queue_one_waiting ON queue(resident_id, dose)
            WHERE status = 'waiting';
""",
)

migration(
    "0004_outbox_offers_followups",
    """
        ALTER TABLE outbox ADD COLUMN kind TEXT NOT NULL DEFAULT 'notice';
        ALTER TABLE outbox ADD COLUMN claimed_at TEXT;
        ALTER TABLE outbox ADD COLUMN failed_at TEXT;
        ALTER TABLE outbox ADD COLUMN provider_id TEXT;
        DROP INDEX outbox_due;
        CREATE INDEX outbox_due ON outbox(due_at) WHERE sent_at IS NULL AND failed_at IS NULL;
        CREATE TABLE optouts (
            channel TEXT NOT NULL,
            address TEXT NOT NULL,
            at TEXT NOT NULL,
            PRIMARY KEY (channel, address)
        );
        CREATE TABLE offers (
            id INTEGER PRIMARY KEY,
            queue_id INTEGER NOT NULL REFERENCES queue(id),
            resident_id INTEGER NOT NULL REFERENCES residents(id),
            slot_id INTEGER NOT NULL REFERENCES slots(id),
            dose INTEGER NOT NULL,
            status TEXT NOT NULL DEFAULT 'open'
                CHECK (status IN ('open', 'accepted', 'declined', 'expired', 'void')),
            created_at TEXT NOT NULL,
            expires_at TEXT NOT NULL,
            answered_at TEXT,
            booking_id INTEGER REFERENCES bookings(id)
        );
        CREATE UNIQUE INDEX offers_one_open ON offers(resident_id) WHERE status = 'open';
        CREATE INDEX offers_expiry ON offers(expires_at) WHERE status = 'open';
        CREATE INDEX queue_waiting ON queue(status, created_at);
        CREATE TABLE followups (
            id INTEGER PRIMARY KEY,
            resident_id INTEGER NOT NULL REFERENCES residents(id),
            dose INTEGER NOT NULL,
            level TEXT NOT NULL CHECK (level IN ('yellow', 'red')),
            created_at TEXT NOT NULL,
            status TEXT NOT NULL DEFAULT 'open',
            called_at TEXT,
            operator TEXT,
            outcome TEXT,
            UNIQUE (resident_id, dose, level)
        );
        CREATE TABLE jobs (
            name TEXT PRIMARY KEY,
            last_key TEXT NOT NULL,
            ran_at TEXT NOT NULL
        );
""",
)

migration(
    "0005_delivery_status",
    """
        ALTER TABLE outbox ADD COLUMN delivery_status TEXT;
        CREATE INDEX outbox_provider ON outbox(provider_id) WHERE provider_id IS NOT NULL;
""",
)

# Messages the interpreter did not understand, masked (no ID numbers, phones, names), counted:
# `vaxbot nlu misses` lists the most frequent for the lexicon's maintainers.
migration(
    "0006_nlu_misses",
    """
        CREATE TABLE nlu_misses (
            text TEXT PRIMARY KEY,
            count INTEGER NOT NULL,
            first_at TEXT NOT NULL,
            last_at TEXT NOT NULL
        )
""",
)

# One row /healthz rewrites: a health check that fails when writes fail (a full disk).
migration(
    "0007_health",
    """
        CREATE TABLE health (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            checked_at TEXT NOT NULL
        )
""",
)

# Each daily job once per period however many workers run: a worker claims (job, day) by
# inserting its row (ON CONFLICT DO NOTHING: one insert wins), runs the job and marks it done.
# A claim never marked done is taken over once its lease is over (the worker died).
migration(
    "0008_job_runs",
    """
        CREATE TABLE job_runs (
            name TEXT NOT NULL,
            period TEXT NOT NULL,
            claimed_at TEXT NOT NULL,
            claimed_by TEXT NOT NULL,
            done_at TEXT,
            PRIMARY KEY (name, period)
        )
""",
)

# The inbound path (bot/intake.py): each message as it arrives, in order, until its turn has run
# (one sender's messages are handled in the order they arrived, whichever process took them);
# and each sender's count of messages in the current rate-limit window, shared by all processes.
# Times in microseconds of the real clock. Both tables hold only moments (no message text).
# And the outbox rows whose send began and has no known outcome yet (bot/outbox.py): after a
# crash they are looked for in the gateway's own list of messages before being sent again.
migration(
    "0009_arrivals_rate_limits_sending",
    """
        CREATE TABLE arrivals (
            id INTEGER PRIMARY KEY,
            channel TEXT NOT NULL,
            address TEXT NOT NULL,
            received_us INTEGER NOT NULL
        );
        CREATE INDEX arrivals_conversation ON arrivals(channel, address, id);
        CREATE TABLE rate_limits (
            sender TEXT PRIMARY KEY,
            started_us INTEGER NOT NULL,
            count INTEGER NOT NULL
        );
        CREATE TABLE sending (
            outbox_id INTEGER PRIMARY KEY,
            since TEXT NOT NULL
        )
""",
)

# Operator accounts for the console (`vaxbot operators`): argon2 password hashes, a TOTP secret
# for supervisors who enrol, and failed logins per name (known or not) for rate limiting.
migration(
    "0010_operators",
    """
        CREATE TABLE operators (
            name TEXT PRIMARY KEY,
            role TEXT NOT NULL CHECK (role IN ('operator', 'supervisor')),
            password_hash TEXT NOT NULL,
            totp_secret TEXT,
            disabled INTEGER NOT NULL DEFAULT 0,
            created_at TEXT NOT NULL
        );
        CREATE TABLE login_failures (
            name TEXT PRIMARY KEY,
            count INTEGER NOT NULL,
            last_at TEXT NOT NULL
        );
""",
)

# Privacy (issue 16, docs/privacy.md). ID numbers are sealed (AES-GCM) in residents.id_sealed and
# found by their keyed index in id_index (the old id_number column, renamed: its UNIQUE constraint
# now holds the index); screening answers, conversation states, stored replies and outbox texts
# are sealed in their own columns (the language a conversation is in is kept beside it, for the
# offers' SMS); link codes are kept as keyed hashes with their tries and the per-phone limit;
# the ID numbers a sender tried each day (keyed hashes) cap enumeration; consents are recorded
# with their wording version; audit rows are chained by hash (and optionally signed).
migration(
    "0011a_privacy",
    """
        ALTER TABLE residents RENAME COLUMN id_number TO id_index;
        ALTER TABLE residents ADD COLUMN id_sealed TEXT;
        ALTER TABLE conversations ADD COLUMN lang TEXT;
        UPDATE conversations SET lang = json_extract(state, '$.lang');
        CREATE TABLE link_codes (
            id INTEGER PRIMARY KEY,
            phone TEXT NOT NULL,
            channel TEXT NOT NULL,
            address TEXT NOT NULL,
            code_hash TEXT NOT NULL,
            created_at TEXT NOT NULL,
            expires_at TEXT NOT NULL,
            tries INTEGER NOT NULL DEFAULT 0,
            used_at TEXT
        );
        CREATE INDEX link_codes_phone ON link_codes(phone, created_at);
        CREATE INDEX link_codes_address ON link_codes(channel, address, created_at);
        CREATE TABLE id_attempts (
            channel TEXT NOT NULL,
            address TEXT NOT NULL,
            day TEXT NOT NULL,
            id_index TEXT NOT NULL,
            PRIMARY KEY (channel, address, day, id_index)
        );
        CREATE TABLE consents (
            id INTEGER PRIMARY KEY,
            account_id INTEGER NOT NULL REFERENCES accounts(id),
            resident_id INTEGER REFERENCES residents(id),
            kind TEXT NOT NULL,
            version TEXT NOT NULL,
            at TEXT NOT NULL,
            channel TEXT NOT NULL
        );
        CREATE INDEX consents_resident ON consents(resident_id);
        ALTER TABLE audit ADD COLUMN reason TEXT;
        ALTER TABLE audit ADD COLUMN prev_hash TEXT;
        ALTER TABLE audit ADD COLUMN hash TEXT;
        ALTER TABLE audit ADD COLUMN sig TEXT
""",
)

# Seals what was stored in plain text before 0011a (a data step, run by store/sealing.py with
# the data key: the statement below only marks it).
migration("0011b_seal_existing", SEAL_EXISTING)

# Notices reach people where they talk (issue 17): the channel an account chose for notices
# (NULL: the one it used last), the values a notice was written from (JSON: a Tencent SMS
# template's parameters), and the channel a message actually went out through.
migration(
    "0012_notice_routes",
    """
        ALTER TABLE accounts ADD COLUMN notify_channel TEXT;
        ALTER TABLE outbox ADD COLUMN params TEXT;
        ALTER TABLE outbox ADD COLUMN route TEXT
""",
)

# The serve processes taking messages (store/servers.py): a process alone on the database keeps
# its messages in order itself, without a place in line or a pause before each turn.
migration(
    "0013_servers",
    """
        CREATE TABLE servers (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            host TEXT NOT NULL,
            pid INTEGER NOT NULL,
            started_us INTEGER NOT NULL,
            seen_us INTEGER NOT NULL
        )
""",
)
