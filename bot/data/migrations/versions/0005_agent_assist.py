"""agent assist: what agents do with suggestions and the guard, and the confirmed wrap-up note

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02 17:44:39.872475
"""
from alembic import op
import sqlalchemy as sa


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('assist_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('conversation_id', sa.String(length=128), nullable=False),
    sa.Column('agent_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('action', sa.String(length=16), nullable=False),
    sa.Column('item', sa.String(length=64), nullable=False),
    sa.Column('detail', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['agent_id'], ['agent_accounts.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('assist_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_assist_events_agent_id'), ['agent_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_assist_events_conversation_id'), ['conversation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_assist_events_created_at'), ['created_at'], unique=False)

    with op.batch_alter_table('contact_log', schema=None) as batch_op:
        batch_op.add_column(sa.Column('note', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('noted_by', sa.Integer(), nullable=True))
        batch_op.create_foreign_key('fk_contact_log_noted_by', 'agent_accounts', ['noted_by'], ['id'])



def downgrade() -> None:
    with op.batch_alter_table('contact_log', schema=None) as batch_op:
        batch_op.drop_constraint('fk_contact_log_noted_by', type_='foreignkey')
        batch_op.drop_column('noted_by')
        batch_op.drop_column('note')

    with op.batch_alter_table('assist_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_assist_events_created_at'))
        batch_op.drop_index(batch_op.f('ix_assist_events_conversation_id'))
        batch_op.drop_index(batch_op.f('ix_assist_events_agent_id'))

    op.drop_table('assist_events')
