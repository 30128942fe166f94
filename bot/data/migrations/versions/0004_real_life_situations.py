"""real-life situations: contact preferences, certificate requests, reports about collectors, and when a
cardholder in hardship expects their income back

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02 02:18:47.446035
"""
from alembic import op
import sqlalchemy as sa


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('collector_reports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('reference', sa.String(length=32), nullable=False),
    sa.Column('conversation_id', sa.String(length=128), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('cardholder_id', sa.Integer(), nullable=True),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('status', sa.Enum('OPEN', 'IN_REVIEW', 'RESOLVED', 'REJECTED', name='casestatus', native_enum=False, length=16), nullable=False),
    sa.ForeignKeyConstraint(['cardholder_id'], ['cardholders.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('reference')
    )
    with op.batch_alter_table('collector_reports', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_collector_reports_cardholder_id'), ['cardholder_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_collector_reports_conversation_id'), ['conversation_id'], unique=False)

    op.create_table('contact_preferences',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('reference', sa.String(length=32), nullable=False),
    sa.Column('conversation_id', sa.String(length=128), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('cardholder_id', sa.Integer(), nullable=False),
    sa.Column('request', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.ForeignKeyConstraint(['cardholder_id'], ['cardholders.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('reference')
    )
    with op.batch_alter_table('contact_preferences', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_contact_preferences_cardholder_id'), ['cardholder_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_contact_preferences_conversation_id'), ['conversation_id'], unique=False)

    op.create_table('certificate_requests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('reference', sa.String(length=32), nullable=False),
    sa.Column('conversation_id', sa.String(length=128), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=24), nullable=False),
    sa.Column('request', sa.Text(), nullable=False),
    sa.Column('status', sa.Enum('OPEN', 'IN_REVIEW', 'RESOLVED', 'REJECTED', name='casestatus', native_enum=False, length=16), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['card_accounts.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('reference')
    )
    with op.batch_alter_table('certificate_requests', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_certificate_requests_account_id'), ['account_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_certificate_requests_conversation_id'), ['conversation_id'], unique=False)

    with op.batch_alter_table('hardship_applications', schema=None) as batch_op:
        batch_op.add_column(sa.Column('income_return', sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('hardship_applications', schema=None) as batch_op:
        batch_op.drop_column('income_return')

    with op.batch_alter_table('certificate_requests', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_certificate_requests_conversation_id'))
        batch_op.drop_index(batch_op.f('ix_certificate_requests_account_id'))

    op.drop_table('certificate_requests')
    with op.batch_alter_table('contact_preferences', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_contact_preferences_conversation_id'))
        batch_op.drop_index(batch_op.f('ix_contact_preferences_cardholder_id'))

    op.drop_table('contact_preferences')
    with op.batch_alter_table('collector_reports', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_collector_reports_conversation_id'))
        batch_op.drop_index(batch_op.f('ix_collector_reports_cardholder_id'))

    op.drop_table('collector_reports')
