"""trainer workbench: review marks on conversations, the trainers' audit log, imported messages

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02 22:01:13.880606
"""
from alembic import op
import sqlalchemy as sa


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('review_marks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('conversation_id', sa.String(length=128), nullable=False),
    sa.Column('flagged', sa.Boolean(), nullable=False),
    sa.Column('tags', sa.JSON(), nullable=False),
    sa.Column('reviewed', sa.Boolean(), nullable=False),
    sa.Column('reviewed_by', sa.Integer(), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['reviewed_by'], ['agent_accounts.id'], name='fk_review_marks_reviewed_by'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('conversation_id')
    )

    op.create_table('training_audit',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('actor', sa.String(length=64), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('action', sa.String(length=32), nullable=False),
    sa.Column('target', sa.String(length=255), nullable=False),
    sa.Column('detail', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('training_audit', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_training_audit_action'), ['action'], unique=False)
        batch_op.create_index(batch_op.f('ix_training_audit_at'), ['at'], unique=False)

    op.create_table('imported_messages',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('batch', sa.String(length=32), nullable=False),
    sa.Column('source', sa.String(length=16), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('label', sa.String(length=64), nullable=True),
    sa.Column('annotated_intent', sa.String(length=64), nullable=True),
    sa.Column('entities', sa.JSON(), nullable=False),
    sa.Column('created_by', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('imported_messages', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_imported_messages_batch'), ['batch'], unique=False)
        batch_op.create_index(batch_op.f('ix_imported_messages_status'), ['status'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('imported_messages', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_imported_messages_status'))
        batch_op.drop_index(batch_op.f('ix_imported_messages_batch'))

    op.drop_table('imported_messages')
    with op.batch_alter_table('training_audit', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_training_audit_at'))
        batch_op.drop_index(batch_op.f('ix_training_audit_action'))

    op.drop_table('training_audit')
    op.drop_table('review_marks')
