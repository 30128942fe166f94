"""security and delivery: server-side identity, verification failures, message forwarding state

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01 23:19:42.401388
"""
from alembic import op
import sqlalchemy as sa


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('verification_failures',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('scope', sa.String(length=16), nullable=False),
    sa.Column('key', sa.String(length=128), nullable=False),
    sa.Column('failed_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('verification_failures', schema=None) as batch_op:
        batch_op.create_index('ix_verification_failures_scope_key_time', ['scope', 'key', 'failed_at'], unique=False)

    op.create_table('conversation_identities',
    sa.Column('conversation_id', sa.String(length=128), nullable=False),
    sa.Column('cardholder_id', sa.Integer(), nullable=True),
    sa.Column('method', sa.String(length=16), nullable=True),
    sa.Column('verified_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('pending_card_last4', sa.String(length=4), nullable=True),
    sa.Column('pending_id_last6', sa.String(length=6), nullable=True),
    sa.ForeignKeyConstraint(['cardholder_id'], ['cardholders.id'], ),
    sa.PrimaryKeyConstraint('conversation_id')
    )
    with op.batch_alter_table('conversation_identities', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_conversation_identities_cardholder_id'), ['cardholder_id'], unique=False)

    with op.batch_alter_table('chat_messages', schema=None) as batch_op:
        batch_op.add_column(sa.Column('forward_state', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('forward_lease_until', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('secret', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.create_index(batch_op.f('ix_chat_messages_forward_state'), ['forward_state'], unique=False)

    with op.batch_alter_table('conversations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('expects_secret', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('client_key', sa.String(length=64), nullable=True))



def downgrade() -> None:
    with op.batch_alter_table('conversations', schema=None) as batch_op:
        batch_op.drop_column('client_key')
        batch_op.drop_column('expects_secret')

    with op.batch_alter_table('chat_messages', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_chat_messages_forward_state'))
        batch_op.drop_column('secret')
        batch_op.drop_column('forward_lease_until')
        batch_op.drop_column('forward_state')

    with op.batch_alter_table('conversation_identities', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_conversation_identities_cardholder_id'))

    op.drop_table('conversation_identities')
    with op.batch_alter_table('verification_failures', schema=None) as batch_op:
        batch_op.drop_index('ix_verification_failures_scope_key_time')

    op.drop_table('verification_failures')
