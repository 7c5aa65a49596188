"""Factory structure: the IEC 62264-1 equipment hierarchy as IDTA 02011 entities.

The entry node is the enterprise (or a site, when a site publishes its own structure); each level below is a
``Node`` entity with 02011's semantics, so 02011 tools walk the tree as they would a bill of material. K-MDS
adds two statements to every node: its EquipmentId, by which production data refer to it, and its level.

The elements K-MDS takes from IDTA 02011 keep 02011's idShorts, semanticIds and cardinalities, and sit where
02011 puts them: ``Node``, ``IsPartOf`` and ``HasPart`` in each entity, ``ArcheType`` beside the entry node.
The submodel holds the whole tree, so its ArcheType is always ``Full``, and a Full structure is stated downwards:
a ``HasPart`` in the parent for each of its nodes, first the parent and second the node. 02011 uses either
HasPart or IsPartOf, not both (IsPartOf is ArcheType ``OneUp``'s), so a K-MDS structure has no IsPartOf; the
template keeps 02011's IsPartOf element only so that it mirrors 02011. Records do not write the relationships:
they follow from the nesting (:func:`midas.standard.record_schema.record_to_submodel`), and KMDS-STR-002 checks
them.
"""

from __future__ import annotations

from typing import Final

from aas_core3.types import DataTypeDefXSD

from midas.standard.model import concepts
from midas.standard.model.elements import (
    Cardinality,
    ElementSpec,
    SubmodelTemplate,
    entity_spec,
    property_spec,
    relationship_spec,
)
from midas.standard.model.namespace import VERSION

__all__ = ["ARCHE_TYPE", "EQUIPMENT_LEVELS", "FACTORY_STRUCTURE", "MAXIMUM_NODE_DEPTH"]

#: The levels from top to bottom; a node's children must be of a lower level than the node.
EQUIPMENT_LEVELS: Final = tuple(code.code for code in concepts.EQUIPMENT_LEVEL.codes)

#: Nodes below the entry node: site, area, work center, work unit.
MAXIMUM_NODE_DEPTH: Final = len(EQUIPMENT_LEVELS) - 1

#: The IDTA 02011 archetype of every K-MDS factory structure: the whole tree, stated downwards by HasPart.
ARCHE_TYPE: Final = "Full"


def _node_statements(depth: int) -> tuple[ElementSpec, ...]:
    statements = [
        property_spec("EquipmentId", concepts.EQUIPMENT_ID, DataTypeDefXSD.STRING, Cardinality.ONE),
        property_spec("EquipmentLevel", concepts.EQUIPMENT_LEVEL, DataTypeDefXSD.STRING, Cardinality.ONE),
    ]
    if depth < MAXIMUM_NODE_DEPTH:
        # The entry node must have at least one part, as in IDTA 02011; deeper nodes may be leaves.
        cardinality = Cardinality.ONE_TO_MANY if depth == 0 else Cardinality.ZERO_TO_MANY
        statements.append(entity_spec("Node", concepts.NODE, cardinality, _node_statements(depth + 1)))
    # As in IDTA 02011, after the nodes. Under ArcheType Full only HasPart is used; IsPartOf stays, as 02011
    # defines it, so that the template mirrors 02011 (KMDS-STR-002 reports any IsPartOf in a structure).
    statements += [
        relationship_spec("IsPartOf", concepts.IS_PART_OF, Cardinality.ZERO_TO_MANY),
        relationship_spec("HasPart", concepts.HAS_PART, Cardinality.ZERO_TO_MANY),
    ]
    return tuple(statements)


FACTORY_STRUCTURE: Final = SubmodelTemplate(
    id_short="FactoryStructure",
    concept=concepts.FACTORY_STRUCTURE,
    version=VERSION,
    elements=(
        entity_spec("EntryNode", concepts.ENTRY_NODE, Cardinality.ONE, _node_statements(0), self_managed=True),
        property_spec("ArcheType", concepts.ARCHE_TYPE, DataTypeDefXSD.STRING, Cardinality.ONE, fixed_value=ARCHE_TYPE),
    ),
)
